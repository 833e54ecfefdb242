import Crypto
import Foundation
import Messages
import ServiceTesting
import Testing

@Suite("notifier's webhook channel: a partner down for a while", .serialized, .timeLimit(.minutes(3)))
struct NotifierWebhookTests {
    @Test(
        "retried while the server is down, delivered once each when it returns, nothing lost or doubled across a restart"
    )
    func downThenUp() async throws {
        let broker = try await RunningBroker.start()
        let offers = try await RunningService.start(
            "offer-registry", broker: broker, dataDirectory: scratchDirectory("w-offers"))
        let candidates = try await RunningService.start(
            "candidate-registry", broker: broker, dataDirectory: scratchDirectory("w-candidates"))
        let matcher = try await RunningService.start(
            "matcher", broker: broker, dataDirectory: scratchDirectory("w-matcher"))
        // The partner's address, held by the test and answered by nobody: connections are refused.
        let partner = try ReservedPort()
        let data = scratchDirectory("w-notifier")
        let secret = "partner-shared-secret"
        func startNotifier() async throws -> RunningService {
            try await RunningService.start(
                "notifier", broker: broker, dataDirectory: data, ["--channel", "webhook"],
                environment: [
                    "PASSERELLE_NOTIFIER_WEBHOOK_URL": "http://127.0.0.1:\(partner.port)/sms",
                    "PASSERELLE_NOTIFIER_WEBHOOK_SECRET": secret, "PASSERELLE_NOTIFIER_RETRY_MILLISECONDS": "100",
                    "PASSERELLE_NOTIFIER_MAX_ATTEMPTS": "50", "PASSERELLE_NOTIFIER_WEBHOOK_TIMEOUT_SECONDS": "1",
                ])
        }
        var notifier = try await startNotifier()
        _ = try await request("POST", offers.base + "/offers", json: sampleOffer())
        var ids: [String] = []
        for n in 0..<3 {
            let person = try await request(
                "POST", candidates.base + "/candidates",
                json: sampleCandidate(["contact.phone": .string("+2237600040\(n)")]))
            ids.append(try #require(person.json?["id"]?.string))
        }
        // Each is tried while the partner is down.
        var seen = ""
        do {
            _ = try await waitUntil("three messages tried twice", timeout: .seconds(60)) {
                seen =
                    try await request("GET", notifier.base + "/health").text + " "
                    + (try await request("GET", matcher.base + "/matches?candidate=\(ids[0])").text) + " "
                var tried = 0
                for id in ids {
                    let listed = try await request("GET", notifier.base + "/notifications?candidate=\(id)")
                    seen += listed.text + " "
                    if let attempts = listed.json?["notifications"]?[0]?["attempts"], case .int(let count) = attempts,
                        count >= 2
                    {
                        tried += 1
                    }
                }
                return tried == 3 ? true : nil
            }
        } catch {
            Issue.record("the notifier, the matcher and the messages: \(seen)")
            throw error
        }
        // The notifier restarts; then the partner comes back.
        notifier.process.signal(SIGTERM)
        #expect(try await notifier.process.waitForExit(timeout: .seconds(10)) == .exited(0))
        notifier = try await startNotifier()
        let server = try RecordingServer(port: partner.port)
        defer { withExtendedLifetime(server) {} }
        let delivered = try await server.waitForRequests(count: 3, timeout: .seconds(60))
        // A little longer: nothing more may come.
        _ = try await waitUntil("every message marked sent") {
            var sent = 0
            for id in ids {
                let listed = try await request("GET", notifier.base + "/notifications?candidate=\(id)")
                if listed.json?["notifications"]?[0]?["status"] == "sent" { sent += 1 }
            }
            return sent == 3 ? true : nil
        }
        let all = server.requests
        let keys = all.compactMap { $0.headers["idempotency-key"] }
        #expect(all.count == 3 && Set(keys).count == 3, "once each: \(all)")
        for request in delivered {
            let expected = HMAC<SHA256>.authenticationCode(
                for: request.body, using: SymmetricKey(data: Data(secret.utf8))
            )
            .map { String(format: "%02x", $0) }.joined()
            #expect(request.headers["x-passerelle-signature"] == "sha256=\(expected)")
            let body = try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any]
            #expect((body?["text"] as? String)?.contains("Passerelle") == true)
        }
        withExtendedLifetime(partner) {}
    }
}
