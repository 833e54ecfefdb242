import Bus
import Foundation
import GRDB
import Logging
import Messages
import ServiceKit
import ServiceLifecycle
import ServiceTesting
import Testing

/// A notifier reduced to its outbox: it publishes `notification.reply` events the reliable
/// way (relay, heartbeats, replay), as the real one will.
struct OutboxNotifier {
    let database: ServiceDatabase
    let outbox = Outbox(source: "notifier")
    let group: ServiceGroup
    let running: Task<Void, any Error>

    init(broker: RunningBroker) throws {
        var logger = Logger(label: "test-notifier")
        logger.logLevel = .warning
        database = try ServiceDatabase(directory: scratchDirectory("notifier"), name: "notifier")
        // With security on it speaks as the notifier's key, and its replay endpoint takes listed keys only.
        let replay = try ReplayServer(
            database: database, endpoint: "tcp://127.0.0.1:*",
            security: TestSecurity.isOn ? try TestSecurity.security("notifier") : nil, logger: logger)
        let relay = OutboxRelay(
            database: database,
            publisher: try BusPublisher(
                connect: [broker.publishers], options: try TestSecurity.brokerOptions("notifier")),
            source: "notifier",
            replayEndpoint: replay.endpoint, heartbeatInterval: .milliseconds(100), logger: logger)
        let group = ServiceGroup(services: [relay, replay], logger: logger)
        self.group = group
        running = Task { try await group.run() }
    }

    func reply(_ candidateId: String, _ intent: ReplyIntent) async throws {
        try await database.pool.write { [outbox] db in
            _ = try outbox.append(
                .notificationReply(
                    NotificationReply(candidateId: candidateId, intent: intent, channel: "kannel", receivedAt: .now)),
                in: db)
        }
    }

    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await running.value
    }
}

@Suite("candidate-registry over real HTTP and a real bus", .serialized, .timeLimit(.minutes(3)))
struct CandidateRegistryTests {
    static let badCandidates: [BadRequest] =
        BadRequest.common + [
            BadRequest(
                "phone not a number", sampleCandidate(["contact.phone": "76-12"]), 422, "invalid-field", "contact.phone"
            ),
            BadRequest(
                "sms without phone", sampleCandidate(["contact.phone": nil]), 422, "invalid-field", "contact.phone"),
            BadRequest(
                "bad e-mail", sampleCandidate(["contact.email": "aminata.at.example"]), 422, "invalid-field",
                "contact.email"),
            BadRequest(
                "a child", sampleCandidate(["birthYear": .int(Int64(LocalDate(Timestamp.now).year - 12))]), 422,
                "invalid-field", "birthYear"),
            BadRequest("birth year as text", sampleCandidate(["birthYear": "1995"]), 422, "wrong-type", "birthYear"),
            BadRequest("unknown region", sampleCandidate(["region": "ML-99"]), 422, "invalid-field", "region"),
            BadRequest("region by name", sampleCandidate(["region": "Bamako"]), 422, "invalid-field", "region"),
            BadRequest("unknown residence", sampleCandidate(["residence": "XX"]), 422, "invalid-field", "residence"),
            BadRequest("no occupation", sampleCandidate(["occupations": []]), 422, "invalid-field", "occupations"),
            BadRequest(
                "ISCO code too long", sampleCandidate(["occupations": ["92111"]]), 422, "invalid-field",
                "occupations[0]"),
            BadRequest(
                "CEFR D1", sampleCandidate(["languages": [["code": "fr", "level": "D1"]]]), 422, "invalid-field",
                "languages[0].level"),
            BadRequest("ISCED -1", sampleCandidate(["education": -1]), 422, "invalid-field", "education"),
            BadRequest(
                "Mali as destination", sampleCandidate(["destinations": ["ML"]]), 422, "invalid-field",
                "destinations[0]"),
            BadRequest(
                "13th month", sampleCandidate(["availableFrom": "2027-13-01"]), 422, "invalid-field", "availableFrom"),
            BadRequest("gender W", sampleCandidate(["gender": "W"]), 422, "invalid-field", "gender"),
            BadRequest("name missing", sampleCandidate(["name": nil]), 422, "missing-field", "name"),
            BadRequest("family name blank", sampleCandidate(["name.family": ""]), 422, "invalid-field", "name.family"),
            BadRequest("consent missing", sampleCandidate(["consent": nil]), 422, "missing-field", "consent"),
            BadRequest("an unknown field", sampleCandidate(["nom": "Traoré"]), 422, "unknown-field", "nom"),
            // Hostile input (security probe).
            BadRequest(
                "gender given twice", raw: withMember(sampleCandidate(), #""gender":"F","gender":"M""#), 400,
                "duplicate-key", "gender"),
            BadRequest(
                "birth year 1995.5", raw: withMember(sampleCandidate(), #""birthYear":1995.5"#), 422, "invalid-field",
                "birthYear"),
            BadRequest(
                "birth year 2^64", raw: withMember(sampleCandidate(), #""birthYear":18446744073709551616"#), 422,
                "invalid-field", "birthYear"),
            BadRequest(
                "birth year 1e309", raw: withMember(sampleCandidate(), #""birthYear":1e309"#), 422, "invalid-field",
                "birthYear"),
            BadRequest(
                "given name with a right-to-left override", sampleCandidate(["name.given": "Ami\u{202E}atan"]), 422,
                "invalid-field", "name.given"),
            BadRequest(
                "family name with an embedding", sampleCandidate(["name.family": "\u{202B}Traoré"]), 422,
                "invalid-field", "name.family"),
        ]

    @Test("each bad request gets its 4xx naming the field; nothing is stored and the service keeps serving")
    func badRequests() async throws {
        let broker = try await RunningBroker.start()
        let registry = try await RunningService.start(
            "candidate-registry", broker: broker, dataDirectory: scratchDirectory("candidates-bad"))
        for bad in Self.badCandidates {
            let result = try await request("POST", registry.base + "/candidates", body: bad.body)
            #expect(result.status == bad.status, "\(bad.label): \(result.text)")
            #expect(result.errorCode == bad.code, "\(bad.label): \(result.text)")
            #expect(result.errorField == bad.field, "\(bad.label): \(result.text)")
        }
        #expect(try await request("GET", registry.base + "/health").status == 200)
        // Nothing is stored: no candidate row and no event in the registry's own file.
        let file = (registry.dataDirectory as NSString).appendingPathComponent("candidate-registry.sqlite")
        var readOnly = Configuration()
        readOnly.readonly = true
        let stored = try DatabaseQueue(path: file, configuration: readOnly)
        #expect(try await stored.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM candidates") } == 0)
        #expect(try await stored.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox") } == 0)
        try stored.close()
        #expect(try await request("GET", registry.base + "/candidates/nobody").status == 404)
        #expect(try await request("DELETE", registry.base + "/candidates/nobody").status == 404)
        let emptyConsent = try await request("PUT", registry.base + "/candidates/nobody/consent", json: [:])
        #expect(emptyConsent.status == 422)
        // SQL metacharacters are data like any other.
        let sly = "O'Brien\"; DELETE FROM candidates;--"
        let created = try await request(
            "POST", registry.base + "/candidates", json: sampleCandidate(["name.family": .string(sly)]))
        #expect(created.status == 201)
        let id = try #require(created.json?["id"]?.string)
        let read = try await request("GET", registry.base + "/candidates/\(id)")
        #expect(read.json?["name"]?["family"] == .string(sly))
    }

    @Test("register, update, consent, STOP by SMS and erasure each publish their events; names stay off candidate.*")
    func lifecycleEvents() async throws {
        let broker = try await RunningBroker.start()
        let observer = try BusObserver(broker, prefixes: ["candidate.", "contact."])
        defer { Task { await observer.close() } }
        let registry = try await RunningService.start(
            "candidate-registry", broker: broker, dataDirectory: scratchDirectory("candidates-events"))
        try await observer.waitUntilConnected(to: "candidate-registry")
        let url = registry.base + "/candidates"

        let created = try await request("POST", url, json: sampleCandidate())
        #expect(created.status == 201, "\(created.text)")
        let id = try #require(created.json?["id"]?.string)
        let registered = try await observer.event(Topic.candidateRegistered) { $0.profile?.id == id }
        let registeredBytes = String(decoding: registered.encoded(), as: UTF8.self)
        #expect(!registeredBytes.contains("Zerbokoulibaly") && !registeredBytes.contains("+22376999888"))
        let contact = try await observer.event(Topic.contactUpdated) { $0.contactDetails?.candidateId == id }
        #expect(contact.contactDetails?.contact.phone == "+22376999888")

        // A new phone number: contact.updated only; more experience: candidate.updated.
        let moved = try await request(
            "PUT", url + "/\(id)", json: sampleCandidate(["contact.phone": "+22365111222", "experienceYears": 5]))
        #expect(moved.status == 200, "\(moved.text)")
        _ = try await observer.event(Topic.contactUpdated) { $0.contactDetails?.contact.phone == "+22365111222" }
        let updated = try await observer.event(Topic.candidateUpdated) { $0.profile?.id == id }
        #expect(updated.profile?.experienceYears == 5)

        // Matching consent withdrawn: candidate.withdrawn.
        let withdrawn = try await request("PUT", url + "/\(id)/consent", json: ["matching": false])
        #expect(withdrawn.json?["consent"]?["matching"] == false)
        let withdrawal = try await observer.event(Topic.candidateWithdrawn) { $0.profile?.id == id }
        #expect(withdrawal.profile?.consent.matching == false)

        // STOP by SMS, through the bus: notifications consent off, candidate.updated.
        let notifier = try OutboxNotifier(broker: broker)
        try await notifier.reply(id, .interested)  // not a STOP: nothing changes
        try await notifier.reply(id, .stop)
        let stopped = try await observer.event(Topic.candidateUpdated) {
            $0.profile?.id == id && $0.profile?.consent.notifications == false
        }
        #expect(stopped.profile?.consent.matching == false)
        let consent = try await request("GET", url + "/\(id)/consent")
        #expect(consent.json?["notifications"]?["via"] == "sms")
        #expect(consent.json?["notifications"]?["granted"] == false)
        #expect(consent.json?["matching"]?["via"] == "api")
        try await notifier.stop()

        // Someone else, who stays.
        let other = try await request(
            "POST", url, json: sampleCandidate(["name.family": "Sangaré", "contact.phone": "+22390000001"]))
        #expect(other.status == 201)

        // The desk finds the person by the new number, typed locally, and not once erased.
        #expect(try await request("GET", url + "?phone=65.11.12.22").json?["total"] == 1)

        // Erasure: events, then no trace in the registry's files; the other person is intact.
        let erased = try await request("DELETE", url + "/\(id)")
        #expect(erased.status == 204)
        _ = try await observer.event(Topic.candidateErased) {
            if case .candidateErased(let erased) = $0.payload { erased.candidateId == id } else { false }
        }
        _ = try await observer.event(Topic.contactErased) {
            if case .contactErased(let erased) = $0.payload { erased.candidateId == id } else { false }
        }
        #expect(try await request("GET", url + "/\(id)").status == 404)
        #expect(try await request("GET", url + "?phone=65111222").json?["total"] == 0)
        for secret in ["Zerbokoulibaly", "zerbokoulibaly", "+22376999888", "+22365111222", "22376999888", "65111222"] {
            #expect(try filesContaining(secret, under: registry.dataDirectory) == [], "\(secret) is still on disk")
        }
        #expect(try filesContaining("+22390000001", under: registry.dataDirectory) != [])
        let survivor = try #require(other.json?["id"]?.string)
        // The person's earlier events left the registry's history: only the tombstones stay,
        // and a replay says the other seqs are gone on purpose.
        var readOnly = Configuration()
        readOnly.readonly = true
        let stored = try DatabaseQueue(
            path: (registry.dataDirectory as NSString).appendingPathComponent("candidate-registry.sqlite"),
            configuration: readOnly)
        let left = try await stored.read { db in
            try String.fetchAll(
                db, sql: "SELECT topic FROM outbox WHERE record = ? ORDER BY stream, seq", arguments: [id])
        }
        let kept = try await stored.read { db in
            try String.fetchAll(
                db, sql: "SELECT topic FROM outbox WHERE record = ? ORDER BY stream, seq", arguments: [survivor])
        }
        try stored.close()
        #expect(left == [Topic.candidateErased, Topic.contactErased])
        #expect(kept == [Topic.candidateRegistered, Topic.contactUpdated])
        #expect(try await request("GET", url + "/\(survivor)").json?["name"]?["family"] == "Sangaré")
    }

    @Test("the same registration twice makes one candidate")
    func idempotentRegistration() async throws {
        let broker = try await RunningBroker.start()
        let registry = try await RunningService.start(
            "candidate-registry", broker: broker, dataDirectory: scratchDirectory("candidates-idempotent"))
        let url = registry.base + "/candidates"
        let first = try await request("POST", url, json: sampleCandidate(), headers: ["Idempotency-Key": "row-7"])
        let again = try await request("POST", url, json: sampleCandidate(), headers: ["Idempotency-Key": "row-7"])
        #expect(first.status == 201)
        #expect(again.status == 200)
        #expect(first.json?["id"] == again.json?["id"])
        let named = sampleCandidate(["id": "KAY-2026-0001"])
        #expect(try await request("POST", url, json: named).status == 201)
        #expect(try await request("POST", url, json: named).status == 200)
        #expect(try await request("POST", url, json: named.setting(["birthYear"], 1990)).status == 409)
    }
}

extension Envelope {
    var profile: CandidateProfile? {
        switch payload {
        case .candidateRegistered(let profile), .candidateUpdated(let profile), .candidateWithdrawn(let profile):
            profile
        default: nil
        }
    }

    var contactDetails: ContactDetails? {
        if case .contactUpdated(let details) = payload { details } else { nil }
    }
}
