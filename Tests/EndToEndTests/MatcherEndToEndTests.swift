import Foundation
import Messages
import ServiceTesting
import Testing

@Suite("matcher end to end with both registries, over the bus", .serialized, .timeLimit(.minutes(3)))
struct MatcherEndToEndTests {
    /// Broker, both registries and the matcher, each with its own data folder.
    struct Stack {
        let broker: RunningBroker
        let offers: RunningService
        let candidates: RunningService
        let matcher: RunningService
        let observer: BusObserver

        static func start(_ name: String) async throws -> Stack {
            let broker = try await RunningBroker.start()
            let observer = try BusObserver(broker, prefixes: ["match."])
            let offers = try await RunningService.start(
                "offer-registry", broker: broker, dataDirectory: scratchDirectory("\(name)-offers"))
            let candidates = try await RunningService.start(
                "candidate-registry", broker: broker, dataDirectory: scratchDirectory("\(name)-candidates"))
            let matcher = try await RunningService.start(
                "matcher", broker: broker, dataDirectory: scratchDirectory("\(name)-matcher"))
            try await observer.waitUntilConnected(to: "matcher")
            return Stack(broker: broker, offers: offers, candidates: candidates, matcher: matcher, observer: observer)
        }

        func register(_ changes: [String: JSONValue?]) async throws -> String {
            let created = try await request("POST", candidates.base + "/candidates", json: sampleCandidate(changes))
            #expect(created.status == 201, "\(created.text)")
            return try #require(created.json?["id"]?.string)
        }

        /// The matches the matcher serves for `query`, as (candidate or offer id, score).
        func matches(_ query: String) async throws -> [Match] {
            let answer = try await request("GET", matcher.base + "/matches?" + query)
            return try CanonicalJSON.decode(MatchList.self, from: answer.body).matches
        }

        /// Waits (bounded) until `GET /matches?query` satisfies `done`.
        func waitForMatches(
            _ query: String, timeout: Duration = .seconds(30), _ done: ([Match]) -> Bool
        )
            async throws -> [Match]
        {
            let deadline = ContinuousClock.now + timeout
            var last: [Match] = []
            while ContinuousClock.now < deadline {
                last = try await matches(query)
                if done(last) { return last }
                try await Task.sleep(for: .milliseconds(50))
            }
            Issue.record("GET /matches?\(query) never reached the expected state; last: \(last.map(\.candidateId))")
            return last
        }
    }

    struct MatchList: Codable {
        let matches: [Match]
    }

    @Test("an offer and three candidates: strong and partial match in that order, the excluded one never")
    func strongPartialExcluded() async throws {
        let stack = try await Stack.start("match-three")
        defer { Task { await stack.observer.close() } }
        // Registered before the offer: the matcher finds them when the offer opens.
        let strong = try await stack.register(["name.family": "Fort"])
        let partial = try await stack.register([
            "name.family": "Partiel", "occupations": ["9212"], "experienceYears": 0,
            "languages": [["code": "bm", "level": "C2"]], "contact.phone": "+22376999001",
        ])
        let excluded = try await stack.register([
            "name.family": "Exclu", "destinations": ["CA"], "contact.phone": "+22376999002",
        ])
        let created = try await request("POST", stack.offers.base + "/offers", json: sampleOffer(["positions": 1]))
        let offerId = try #require(created.json?["id"]?.string)

        let ranked = try await stack.waitForMatches("offer=\(offerId)") { $0.count == 2 }
        // A missing match fails this test, not the whole run (indexing an empty list would crash).
        try #require(ranked.count == 2, "\(ranked.map(\.candidateId))")
        #expect(ranked.map(\.candidateId) == [strong, partial])
        #expect(ranked[0].score > ranked[1].score)
        #expect(ranked[0].score <= 100 && ranked[1].score >= 50)
        let rules = ranked[0].breakdown.map(\.rule)
        #expect(rules.first == "occupation" && rules.contains("languages") && rules.contains("destination"))
        #expect(ranked[1].breakdown.first { $0.rule == "occupation" }?.score == 70)
        #expect(ranked.allSatisfy { $0.breakdown.allSatisfy { $0.reason.contains(" / ") } })
        #expect(try await stack.matches("candidate=\(excluded)").isEmpty)
        let found = try await stack.observer.events(Topic.matchFound, count: 2)
        #expect(Set(found.compactMap(\.match?.candidateId)) == [strong, partial])

        // Updating the partial candidate into someone who no longer fits withdraws the match.
        let moved = try await request(
            "PUT", stack.candidates.base + "/candidates/\(partial)",
            json: sampleCandidate([
                "name.family": "Partiel", "occupations": ["2512"], "contact.phone": "+22376999001",
            ]))
        #expect(moved.status == 200)
        _ = try await stack.observer.event(Topic.matchWithdrawn) { $0.match?.candidateId == partial }
        #expect(try await stack.waitForMatches("offer=\(offerId)") { $0.count == 1 }.map(\.candidateId) == [strong])

        // Closing the offer withdraws what remains.
        _ = try await request("POST", stack.offers.base + "/offers/\(offerId)/close", json: ["reason": "filled"])
        _ = try await stack.observer.event(Topic.matchWithdrawn) { $0.match?.candidateId == strong }
        #expect(try await stack.waitForMatches("offer=\(offerId)") { $0.isEmpty }.isEmpty)
    }

    @Test("a new, better candidate takes the place of the weakest when the offer is full")
    func bestAreKept() async throws {
        let stack = try await Stack.start("match-keep")
        defer { Task { await stack.observer.close() } }
        // One position, kept × 3: three places.
        let created = try await request("POST", stack.offers.base + "/offers", json: sampleOffer(["positions": 1]))
        let offerId = try #require(created.json?["id"]?.string)
        var weak: [String] = []
        for number in 0..<3 {
            weak.append(
                try await stack.register([
                    "experienceYears": 0, "contact.phone": .string("+2237600010\(number)"),
                ]))
        }
        _ = try await stack.waitForMatches("offer=\(offerId)") { $0.count == 3 }
        let best = try await stack.register(["contact.phone": "+22376000200"])
        let kept = try await stack.waitForMatches("offer=\(offerId)") { $0.first?.candidateId == best }
        #expect(kept.count == 3)
        // Equal scores: the earliest registrations stay, the latest weak one goes.
        #expect(kept.map(\.candidateId) == [best, weak[0], weak[1]])
        let gone = try await stack.observer.event(Topic.matchWithdrawn) { $0.match?.candidateId == weak[2] }
        #expect(gone.match?.reason?.contains("/") == true)
    }

    @Test("erasure at the registry leaves no trace of the candidate in the matcher's files, officers' marks included")
    func erasure() async throws {
        let stack = try await Stack.start("match-erasure")
        defer { Task { await stack.observer.close() } }
        let created = try await request("POST", stack.offers.base + "/offers", json: sampleOffer())
        let offerId = try #require(created.json?["id"]?.string)
        let person = try await stack.register(["id": "KAY-ERASE-0042"])
        let other = try await stack.register(["id": "KAY-STAYS-0043", "contact.phone": "+22376000300"])
        _ = try await stack.waitForMatches("offer=\(offerId)") { $0.count == 2 }
        // Officers shortlisted and contacted both (with an Idempotency-Key): the marks, the key
        // and the audit trail of the person's go with the rest; the other's stay.
        for id in [person, other] {
            let marked = try await request(
                "PUT", stack.matcher.base + "/matches/\(offerId)/\(id)/follow-up",
                json: ["shortlisted": true, "contacted": true], headers: ["Idempotency-Key": "mark-\(id)"])
            #expect(marked.status == 200 && marked.json?["contacted"] == true, "\(marked.text)")
        }
        #expect(try await request("DELETE", stack.candidates.base + "/candidates/\(person)").status == 204)
        let withdrawn = try await stack.observer.event(Topic.matchWithdrawn) { $0.match?.candidateId == person }
        #expect(withdrawn.match?.reason?.contains("effacement") == true)
        #expect(try await stack.waitForMatches("offer=\(offerId)") { $0.count == 1 }.map(\.candidateId) == [other])
        #expect(try await stack.matches("candidate=\(person)").isEmpty)
        // The matcher redacts the rows once published, and checkpoints its WAL.
        let deadline = ContinuousClock.now + .seconds(20)
        var traces = try filesContaining(person, under: stack.matcher.dataDirectory)
        while !traces.isEmpty && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            traces = try filesContaining(person, under: stack.matcher.dataDirectory)
        }
        #expect(traces == [], "the erased candidate's id is still in \(traces)")
        // What was published: the match, then its withdrawal.
        #expect(
            stack.observer.events([Topic.matchFound, Topic.matchWithdrawn]).filter { $0.match?.candidateId == person }
                .map(\.type) == [Topic.matchFound, Topic.matchWithdrawn])
        #expect(try filesContaining(other, under: stack.matcher.dataDirectory) != [])
        let kept = try await request("GET", stack.matcher.base + "/matches?candidate=\(other)")
        #expect(kept.json?["matches"]?[0]?["contacted"] == true, "the other's marks stay: \(kept.text)")
    }
}

extension Envelope {
    var match: Match? {
        switch payload {
        case .matchFound(let match), .matchWithdrawn(let match): match
        default: nil
        }
    }
}
