import Foundation
import GRDB
import Logging
import Messages
import ServiceKit
import ServiceTesting
import Testing

@testable import notifier

/// A notifier on a fresh store with the spool channel, fed events the way its inbox does.
struct NotifierUnderTest {
    let database: ServiceDatabase
    let notifier: Notifier
    let dispatcher: Dispatcher
    let spool: SpoolChannel
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("notifier-\(UUID().uuidString)").path

    init(policy: SendingPolicy = SendingPolicy(), channel: (any NotificationChannel)? = nil) throws {
        database = try ServiceDatabase(directory: directory, name: "notifier") { NotifierStore.migrate(&$0) }
        spool = try SpoolChannel(directory: directory + "/spool")
        let outbox = Outbox(source: "notifier")
        let channel = channel ?? spool
        notifier = Notifier(
            database: database, outbox: outbox, channel: channel.name, templates: Templates(directory: nil),
            logger: Logger(label: "notifier"))
        dispatcher = Dispatcher(
            database: database, outbox: outbox, channel: channel, templates: Templates(directory: nil), policy: policy,
            logger: Logger(label: "dispatcher"))
    }

    /// Another dispatcher on the same store: the notifier after a restart, perhaps with another channel.
    func restarted(channel: any NotificationChannel, policy: SendingPolicy = SendingPolicy()) -> Dispatcher {
        Dispatcher(
            database: database, outbox: Outbox(source: "notifier"), channel: channel,
            templates: Templates(directory: nil), policy: policy, logger: Logger(label: "dispatcher"))
    }

    /// A message's status and detail.
    func status(ofMessageTo candidateId: String) async throws -> [String] {
        try await database.pool.read { db in
            try String.fetchAll(db, sql: "SELECT status FROM messages WHERE candidate_id = ?", arguments: [candidateId])
        }
    }

    func apply(_ events: Event...) async throws {
        for event in events {
            try await database.pool.write { db in try notifier.apply(Envelope(source: "bus", seq: 1, event: event), db)
            }
        }
    }

    /// The texts the spool holds, in order.
    func spooled() throws -> [String] {
        let text = try String(contentsOfFile: spool.path, encoding: .utf8)
        return try text.split(separator: "\n").map {
            try JSONDecoder().decode(OutgoingMessage.self, from: Data($0.utf8)).text
        }
    }

    /// Topics in the notifier's outbox, with their payloads' intents or templates.
    func published() async throws -> [String] {
        try await database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT envelope FROM outbox ORDER BY stream, seq").map { row in
                let envelope = try Envelope.decode(bytes: [UInt8](row["envelope"] as Data))
                switch envelope.payload {
                case .notificationSent(let sent): return "sent \(sent.template) \(sent.candidateId)"
                case .notificationFailed(let failed): return "failed \(failed.template) attempt \(failed.attempt)"
                case .notificationReply(let reply): return "reply \(reply.intent) \(reply.offerId ?? "-")"
                default: return envelope.type
                }
            }
        }
    }
}

/// An open offer with a reference, and a consenting candidate who prefers SMS.
func seed(_ under: NotifierUnderTest, phone: String = "+22376000001") async throws {
    var offer = Offer.sample(id: "offer-1")
    offer.reference = "ES-2027-0042"
    offer.city = "Lleida"
    offer.applicationDeadline = try LocalDate("2027-01-15")
    try await under.apply(
        .offerPublished(offer), .candidateRegistered(.sample("cand-1")),
        .contactUpdated(
            ContactDetails(
                candidateId: "cand-1", name: PersonName(given: "Awa", family: "Traoré"),
                contact: Contact(phone: phone, preferredChannel: .sms, language: .fr))))
}

@Suite("notifier in-process: matches become SMS once, answers become replies")
struct NotifierServiceTests {
    @Test("a match sends one SMS in GSM-7 French with the reference; replayed, it sends nothing more")
    func matchSendsOnce() async throws {
        let under = try NotifierUnderTest()
        try await seed(under)
        let match = Event.matchFound(Match(offerId: "offer-1", candidateId: "cand-1", score: 80, breakdown: []))
        try await under.apply(match)
        #expect(try await under.dispatcher.round() == 1)
        try await under.apply(match)  // the same match again (a replay after a restart)
        #expect(try await under.dispatcher.round() == 0)
        let texts = try under.spooled()
        #expect(texts.count == 1)
        #expect(texts.first?.contains("ES-2027-0042") == true && texts.first?.contains("Espagne") == true, "\(texts)")
        #expect(texts.allSatisfy(GSM7.isGSM7))
        #expect(try await under.published() == ["sent match cand-1"])
    }

    @Test("no SMS without consent, after STOP, beyond the daily limit or in quiet hours")
    func rules() async throws {
        let quiet = try SendingPolicy.quietHours("00:00-23:59")
        let under = try NotifierUnderTest(policy: SendingPolicy(dailyLimit: 1, quietHours: quiet))
        try await seed(under)
        try await under.apply(.matchFound(Match(offerId: "offer-1", candidateId: "cand-1", score: 80, breakdown: [])))
        #expect(try await under.dispatcher.round() == 0, "quiet hours all day")
        let open = try NotifierUnderTest(policy: SendingPolicy(dailyLimit: 1))
        try await seed(open)
        var second = Offer.sample(id: "offer-2")
        second.reference = "ES-2027-0043"
        try await open.apply(
            .offerPublished(second),
            .matchFound(Match(offerId: "offer-1", candidateId: "cand-1", score: 80, breakdown: [])),
            .matchFound(Match(offerId: "offer-2", candidateId: "cand-1", score: 80, breakdown: [])))
        #expect(try await open.dispatcher.round() == 1, "daily limit 1")
        var refused = CandidateProfile.sample("cand-1")
        refused.consent.notifications = false
        try await open.apply(.candidateUpdated(refused))
        try await open.apply(
            .offerPublished(.sample(id: "offer-3")),
            .matchFound(Match(offerId: "offer-3", candidateId: "cand-1", score: 80, breakdown: [])))
        #expect(
            try await open.dispatcher.round(
                now: Timestamp(millisecondsSinceEpoch: Timestamp.now.millisecondsSinceEpoch + 86_400_000)) == 0)
    }

    @Test("OUI, NON, STOP and VERIF become replies and answers; a stranger gets nothing personal")
    func inbound() async throws {
        let under = try NotifierUnderTest()
        try await seed(under)
        var heard = try await under.notifier.heard(
            from: "+22376000001", text: " oui  es-2027-42 ", gatewayId: "k1", at: .now)
        #expect(heard.intent == "interested")
        heard = try await under.notifier.heard(from: "+22376000001", text: "oui es-2027-42", gatewayId: "k1", at: .now)
        #expect(heard.repeated, "the same gateway id twice is one SMS")
        heard = try await under.notifier.heard(
            from: "+22376000001", text: "Non ES-2027-0042", gatewayId: "k2", at: .now)
        #expect(heard.intent == "declined")
        #expect(try await under.dispatcher.round() == 2)
        heard = try await under.notifier.heard(
            from: "+33600000000", text: "VERIF ES-2027-0042", gatewayId: "k3", at: .now)
        #expect(heard.intent == "verify")
        #expect(try await under.dispatcher.round() == 1)
        heard = try await under.notifier.heard(
            from: "+33600000000", text: "verif XX-1999-0001", gatewayId: "k4", at: .now)
        #expect(try await under.dispatcher.round() == 1)
        heard = try await under.notifier.heard(from: "+22376000001", text: "Arrêt", gatewayId: "k5", at: .now)
        #expect(heard.intent == "stop")
        #expect(try await under.dispatcher.round() == 1)
        let texts = try under.spooled()
        try #require(texts.count == 5, "\(texts)")
        #expect(texts[0...1].contains { $0.contains("OUI") && $0.contains("ES-2027-0042") }, "\(texts)")
        #expect(texts[2].contains("enregistree au ministere et ouverte") && texts[2].contains("Fresas del Sur"))
        #expect(texts[3].hasPrefix("ATTENTION") && !texts[3].contains("Awa"))
        #expect(texts[4].contains("ne recevrez plus"))
        #expect(texts.allSatisfy(GSM7.isGSM7))
        let published = try await under.published()
        #expect(
            published.filter { $0.hasPrefix("reply") } == [
                "reply interested offer-1", "reply declined offer-1", "reply stop -",
            ], "a stranger's VERIF publishes nothing: \(published)")
        #expect(published.filter { $0.hasPrefix("sent") }.count == 3, "the answers to the candidate: \(published)")
        // After STOP, a match sends nothing.
        try await under.apply(.matchFound(Match(offerId: "offer-1", candidateId: "cand-1", score: 90, breakdown: [])))
        #expect(try await under.dispatcher.round() == 0)
    }

    @Test("a failing channel is retried with back-off, then notification.failed, never the number or the text")
    func retries() async throws {
        struct Broken: NotificationChannel {
            let name = "webhook"
            func send(_ message: OutgoingMessage) async throws -> String? {
                throw ChannelError(description: "HTTP 503")
            }
        }
        let under = try NotifierUnderTest(
            policy: SendingPolicy(maxAttempts: 3, retryBase: .milliseconds(1)), channel: Broken())
        try await seed(under)
        try await under.apply(.matchFound(Match(offerId: "offer-1", candidateId: "cand-1", score: 80, breakdown: [])))
        for _ in 0..<3 {
            _ = try await under.dispatcher.round(
                now: Timestamp(millisecondsSinceEpoch: Timestamp.now.millisecondsSinceEpoch + 60_000))
        }
        #expect(try await under.published() == ["failed match attempt 3"])
        let stored = try await under.database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT envelope FROM outbox").map {
                String(decoding: $0["envelope"] as Data, as: UTF8.self)
            }
        }
        #expect(stored.allSatisfy { !$0.contains("+22376000001") && !$0.contains("Lleida") })
    }

    @Test("erasure removes the person's rows, messages included, and their number leaves the files")
    func erasure() async throws {
        let under = try NotifierUnderTest()
        try await seed(under, phone: "+22376555444")
        try await under.apply(.matchFound(Match(offerId: "offer-1", candidateId: "cand-1", score: 80, breakdown: [])))
        #expect(try await under.dispatcher.round() == 1)
        _ = try await under.notifier.heard(from: "+22376555444", text: "OUI ES-2027-0042", gatewayId: "e1", at: .now)
        try await under.apply(.candidateErased(CandidateErased(candidateId: "cand-1")))
        #expect(under.notifier.erasedSinceCheckpoint.take())
        let left = try await under.database.pool.read { db in
            try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM messages WHERE candidate_id = 'cand-1' OR phone = '+22376555444'")
        }
        #expect(left == 0)
        #expect(try await under.database.truncateWAL())
        let files = try filesContaining("+22376555444", under: under.directory).filter {
            $0.hasPrefix("notifier.sqlite")
        }
        #expect(files.isEmpty, "the number is still in \(files)")
    }

    @Test("a round sends everything due, past the 200 it reads at a time")
    func roundDrains() async throws {
        let under = try NotifierUnderTest(policy: SendingPolicy(dailyLimit: 5))
        try await seed(under)
        for n in 1...450 {
            try await under.apply(
                .candidateRegistered(.sample("c-\(n)")),
                .contactUpdated(
                    ContactDetails(
                        candidateId: "c-\(n)", name: PersonName(given: "A", family: "B"),
                        contact: Contact(phone: "+2237700\(1000 + n)", preferredChannel: .sms, language: .en))),
                .matchFound(Match(offerId: "offer-1", candidateId: "c-\(n)", score: 70, breakdown: [])))
        }
        #expect(try await under.dispatcher.round() == 450)
        #expect(try under.spooled().count == 450)
        #expect(try under.spooled().allSatisfy { $0.contains("Reply YES") })
    }

    @Test("every template, filled with long values, is GSM-7 and fits two SMS")
    func templatesFit() {
        let long = OfferValues.longest
        for language in ["fr", "en"] {
            for name in Templates.builtIn[language]!.keys {
                let text = Templates(directory: nil).render(name, language: language, long)
                #expect(GSM7.isGSM7(text), "\(language)/\(name): \(text)")
                #expect(GSM7.septets(text) <= 306, "\(language)/\(name): \(GSM7.septets(text)) septets")
            }
        }
        #expect(
            GSM7.transliterate("Maçon à Besançon, œuvre «très» bien — forêt")
                == "Macon à Besancon, oeuvre \"très\" bien - foret")
    }

    @Test("SMS as people type them")
    func commands() {
        #expect(InboundCommand("oui es-2027-0042") == .interested(reference: "ES-2027-0042"))
        #expect(InboundCommand("YES ES-2027-42") == .interested(reference: "ES-2027-0042"))
        #expect(InboundCommand("  Non   fr-2027-0001 ") == .declined(reference: "FR-2027-0001"))
        #expect(InboundCommand("ARRÊT") == .stop)
        #expect(InboundCommand("stop svp") == .stop)
        #expect(InboundCommand("Vérif ES-2027-0042") == .verify(reference: "ES-2027-0042"))
        #expect(InboundCommand("oui") == .help)
        #expect(InboundCommand("") == .help)
        #expect(InboundCommand("stopper") == .help)
    }
}

/// Values as long as the demo data's longest: a 120-character title and a long city.
enum OfferValues {
    static let longest: [String: String] = [
        "ref": "ES-2027-0042", "title": String(repeating: "Ouvrier agricole saisonnier ", count: 2),
        "city": "Santa Cruz de la Sierra", "country": "République centrafricaine", "employer": "Fresas del Sur SL",
        "deadline": "2027-01-15", "answer": "OUI",
    ]
}
