import Foundation
import Messages
import ServiceTesting
import Testing

/// The spool as the notifier writes it: one JSON object per line.
func spooledTexts(_ dataDirectory: String) -> [String] {
    guard let text = try? String(contentsOfFile: dataDirectory + "/spool/outbox.jsonl", encoding: .utf8) else {
        return []
    }
    return text.split(separator: "\n").compactMap {
        (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["text"] as? String
    }
}

@Suite(
    "notifier end to end: a match reaches the candidate's phone, answers come back", .serialized,
    .timeLimit(.minutes(3)))
struct NotifierEndToEndTests {
    static let secret = "kannel-secret-for-tests"

    @Test("registries, matcher and notifier: a match becomes one SMS; OUI <ref> becomes notification.reply")
    func matchToSMS() async throws {
        let broker = try await RunningBroker.start()
        let observer = try BusObserver(broker, prefixes: ["notification."])
        let offers = try await RunningService.start(
            "offer-registry", broker: broker, dataDirectory: scratchDirectory("n-offers"))
        let candidates = try await RunningService.start(
            "candidate-registry", broker: broker, dataDirectory: scratchDirectory("n-candidates"))
        let matcher = try await RunningService.start(
            "matcher", broker: broker, dataDirectory: scratchDirectory("n-matcher"))
        let notifierData = scratchDirectory("n-notifier")
        let notifier = try await RunningService.start(
            "notifier", broker: broker, dataDirectory: notifierData,
            environment: ["PASSERELLE_NOTIFIER_INBOUND_SECRET": Self.secret])
        let offer = try await request("POST", offers.base + "/offers", json: sampleOffer(["city": "Besançon"]))
        let reference = try #require(offer.json?["reference"]?.string)
        let person = try await request("POST", candidates.base + "/candidates", json: sampleCandidate())
        let candidateId = try #require(person.json?["id"]?.string)
        let texts: [String]
        do {
            texts = try await waitUntil("the SMS in the spool", timeout: .seconds(30)) {
                let texts = spooledTexts(notifierData)
                return texts.isEmpty ? nil : texts
            }
        } catch {
            let listed = try await request("GET", notifier.base + "/notifications?candidate=\(candidateId)")
            let health = try await request("GET", notifier.base + "/health")
            let matches = try await request("GET", matcher.base + "/matches?candidate=\(candidateId)")
            Issue.record("no SMS: \(listed.text) \(health.text) \(matches.text)")
            throw error
        }
        #expect(texts.count == 1 && texts[0].contains(reference) && texts[0].contains("Besancon"), "\(texts)")
        let sent = try await observer.event(Topic.notificationSent) { _ in true }
        #expect(!String(decoding: sent.encoded(), as: UTF8.self).contains("+22376999888"), "no number on the bus")

        // The candidate answers from their phone, through the gateway.
        let answer = try await request(
            "GET",
            notifier.base
                + "/inbound/sms?from=%2B22376999888&text=oui%20\(reference.lowercased())&id=m-1&secret=\(Self.secret)")
        #expect(answer.status == 200 && answer.json?["intent"] == "interested", "\(answer.text)")
        let reply = try await observer.event(Topic.notificationReply) { _ in true }
        guard case .notificationReply(let payload) = reply.payload else {
            throw HarnessError.timedOut(waitingFor: "reply", last: "")
        }
        #expect(payload.candidateId == candidateId && payload.intent == .interested)
        let listed = try await request("GET", notifier.base + "/notifications?candidate=\(candidateId)")
        #expect(listed.status == 200 && listed.text.contains(reference), "\(listed.text)")
        // Paged like every listing (DESIGN.md): `limit` and `offset`, newest first.
        func ids(_ query: String) async throws -> [String] {
            let page = try await request("GET", notifier.base + "/notifications?candidate=\(candidateId)" + query)
            #expect(page.status == 200, "\(query): \(page.text)")
            guard case .array(let items) = page.json?["notifications"] else { return [] }
            return items.compactMap { $0["id"]?.string }
        }
        let all = try await ids("")
        try #require(all.count >= 2, "the SMS sent and the answer heard: \(all)")
        #expect(try await ids("&limit=1") == Array(all.prefix(1)))
        #expect(try await ids("&limit=1&offset=1") == [all[1]])
        #expect(try await ids("&offset=\(all.count)").isEmpty)
    }

    @Test("bad input on /inbound/sms: a clear answer naming the field, no crash, nothing leaked")
    func hostileInbound() async throws {
        let broker = try await RunningBroker.start()
        let notifier = try await RunningService.start(
            "notifier", broker: broker, dataDirectory: scratchDirectory("n-hostile"),
            environment: ["PASSERELLE_NOTIFIER_INBOUND_SECRET": Self.secret])
        let base = notifier.base + "/inbound/sms"
        let secret = "&secret=\(Self.secret)"
        let cases: [(label: String, query: String, status: Int, field: String?)] = [
            ("no secret", "?from=22376000001&text=OUI", 403, nil),
            ("wrong secret", "?from=22376000001&text=OUI&secret=guess", 403, "secret"),
            ("no sender", "?text=OUI" + secret, 422, "from"),
            ("garbage sender", "?from=%3Cscript%3E&text=OUI" + secret, 422, "from"),
            ("no text", "?from=22376000001" + secret, 422, "text"),
            ("10 KB text", "?from=22376000001&text=" + String(repeating: "A", count: 10_240) + secret, 422, "text"),
            ("unknown reference", "?from=22376000001&text=VERIF%20ZZ-2099-9999&id=u-1" + secret, 200, nil),
            ("unknown number", "?from=22376000009&text=OUI%20ES-2027-0001&id=u-2" + secret, 200, nil),
        ]
        for test in cases {
            let answer = try await request("GET", base + test.query)
            #expect(answer.status == test.status, "\(test.label): \(answer.status) \(answer.text.prefix(200))")
            if let field = test.field {
                #expect(answer.json?["error"]?["field"] == .string(field), "\(test.label): \(answer.text)")
            }
            #expect(!answer.text.contains("Zerbokoulibaly"))
        }
        // A burst from one number is slowed down, others are not.
        var statuses: [Int] = []
        for n in 0..<15 {
            statuses.append(try await request("GET", base + "?from=22376000777&text=aide&id=b-\(n)" + secret).status)
        }
        #expect(statuses.filter { $0 == 200 }.count == 10 && statuses.filter { $0 == 429 }.count == 5, "\(statuses)")
        #expect(try await request("GET", base + "?from=22376000778&text=aide&id=c-1" + secret).status == 200)
        #expect(try await request("GET", notifier.base + "/health").status == 200)
    }
}
