import Foundation
import Messages
import ServiceTesting
import Testing

/// The notifier on its `kannel` channel, with a real Kannel (bearerbox, smsbox) and fakesmsc
/// as the SMS centre: what a phone receives and what it sends back.
@Suite(
    "notifier through a real Kannel", .serialized, .timeLimit(.minutes(3)),
    .enabled(if: KannelInstallation.isInstalled, KannelInstallation.skipReason))
struct NotifierKannelTests {
    static let phone = "+22376999888"
    static let shortCode = "36180"

    @Test("a match reaches the phone; OUI, VERIF and STOP typed on it come back through Kannel")
    func smsBothWays() async throws {
        let broker = try await RunningBroker.start()
        let observer = try BusObserver(broker, prefixes: ["notification.", "candidate."])
        let offers = try await RunningService.start(
            "offer-registry", broker: broker, dataDirectory: scratchDirectory("k-offers"))
        let candidates = try await RunningService.start(
            "candidate-registry", broker: broker, dataDirectory: scratchDirectory("k-candidates"))
        let matcher = try await RunningService.start(
            "matcher", broker: broker, dataDirectory: scratchDirectory("k-matcher"))
        // Kannel must know where the notifier listens, and the notifier where Kannel does.
        let notifierPort = try ReservedPort()
        let kannel = try await RunningKannel.start(inboundURL: "http://127.0.0.1:\(notifierPort.port)/inbound/sms")
        defer { kannel.stop() }
        let notifier = try await RunningService.start(
            "notifier", broker: broker, dataDirectory: scratchDirectory("k-notifier"),
            ["--http", "127.0.0.1:\(notifierPort.port)", "--channel", "kannel"],
            environment: [
                "PASSERELLE_NOTIFIER_KANNEL_SENDSMS_URL": kannel.sendsmsURL,
                "PASSERELLE_NOTIFIER_KANNEL_USERNAME": kannel.username,
                "PASSERELLE_NOTIFIER_KANNEL_PASSWORD": kannel.password,
                "PASSERELLE_NOTIFIER_INBOUND_SECRET": kannel.secret,
            ])
        let offer = try await request("POST", offers.base + "/offers", json: sampleOffer(["city": "Besançon"]))
        let reference = try #require(offer.json?["reference"]?.string)
        let person = try await request(
            "POST", candidates.base + "/candidates", json: sampleCandidate(["contact.phone": .string(Self.phone)]))
        let candidateId = try #require(person.json?["id"]?.string)

        // The match, on the phone: GSM-7 (Besançon written Besancon), with the reference.
        /// Waits until the phone shows `count` messages (long ones joined); returns them.
        func shown(_ count: Int) async throws -> [FakeSMSCMessage] {
            try await waitUntil("\(count) SMS shown") {
                let shown = kannel.sentMessages.asShown
                return shown.count >= count && shown.allSatisfy { $0.part == nil || $0.text.hasSuffix(".") }
                    ? shown : nil
            }
        }
        let first: [FakeSMSCMessage]
        do {
            first = try await shown(1)
        } catch {
            let listed = try await request("GET", notifier.base + "/notifications?candidate=\(candidateId)")
            let health = try await request("GET", notifier.base + "/health")
            let matches = try await request("GET", matcher.base + "/matches?candidate=\(candidateId)")
            Issue.record(
                "no SMS: \(listed.text) \(health.text) \(matches.text) \(notifier.process.stderr.suffix(2_000))")
            throw error
        }
        #expect(first[0].receiver == Self.phone && first[0].sender == "PASSERELLE", "\(first)")
        #expect(first[0].text.contains(reference) && first[0].text.contains("Besancon"), "\(first)")
        #expect(!first[0].text.contains("?"), "nothing a basic phone shows as ?: \(first)")
        // Kannel's delivery report comes back to the notifier.
        _ = try await waitUntil("the delivery report") {
            let listed = try await request("GET", notifier.base + "/notifications?candidate=\(candidateId)")
            return listed.text.contains(#""status":"delivered""#) ? true : nil
        }

        // OUI <ref>, typed as people type it.
        try await kannel.receiveSMS(from: Self.phone, to: Self.shortCode, text: "oui \(reference.lowercased())")
        let reply = try await observer.event(Topic.notificationReply) { _ in true }
        guard case .notificationReply(let interested) = reply.payload else {
            throw HarnessError.notSeen(process: "bus", pattern: "reply", stderr: "")
        }
        #expect(interested.candidateId == candidateId && interested.intent == .interested)
        #expect(try await shown(2)[1].text.contains("OUI"))

        // VERIF, from any phone: the real reference, then a made-up one.
        try await kannel.receiveSMS(from: "+33611111111", to: Self.shortCode, text: "VERIF \(reference)")
        let verified = try await shown(3)[2]
        #expect(verified.receiver == "+33611111111" && verified.text.contains("ouverte"), "\(verified)")
        try await kannel.receiveSMS(from: "+33611111111", to: Self.shortCode, text: "verif ES-2027-9999")
        let warned = try await shown(4)[3]
        #expect(warned.text.hasPrefix("ATTENTION"), "\(warned)")

        // STOP (as a phone sends Ê: UCS-2): consent off at the registry, and a last confirmation.
        try await kannel.receiveSMS(from: Self.phone, to: Self.shortCode, text: "ARRÊT", coding: .ucs2)
        _ = try await observer.event(Topic.candidateUpdated) {
            if case .candidateUpdated(let profile) = $0.payload {
                profile.id == candidateId && !profile.consent.notifications
            } else {
                false
            }
        }
        let consent = try await request("GET", candidates.base + "/candidates/\(candidateId)/consent")
        #expect(consent.json?["notifications"]?["granted"] == false)
        #expect(try await shown(5)[4].text.contains("ne recevrez plus"))
        withExtendedLifetime(notifierPort) {}
    }
}
