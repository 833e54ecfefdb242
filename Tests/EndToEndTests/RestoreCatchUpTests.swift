import Foundation
import GRDB
import Messages
import ServiceKit
import ServiceTesting
import Testing

/// The whole chain on one data root (compose/dev's layout): registries, matcher, notifier,
/// statistics; the matcher is restored from a backup an hour of events old.
@Suite(
    "restore: a matcher an hour behind catches up, and its new matches still reach the readers", .serialized,
    .timeLimit(.minutes(8)))
struct RestoreCatchUpTests {
    struct Chain {
        let root: String
        let broker: RunningBroker
        let offers: RunningService
        let candidates: RunningService
        var matcher: RunningService
        let notifier: RunningService
        let statistics: RunningService

        static func start() async throws -> Chain {
            let root = scratchDirectory("catch-up")
            let broker = try await RunningBroker.start()
            func start(_ name: String) async throws -> RunningService {
                try await RunningService.start(name, broker: broker, dataDirectory: root + "/" + name)
            }
            return Chain(
                root: root, broker: broker, offers: try await start("offer-registry"),
                candidates: try await start("candidate-registry"), matcher: try await start("matcher"),
                notifier: try await start("notifier"), statistics: try await start("statistics"))
        }

        func database(_ service: String) -> String { root + "/\(service)/\(service).sqlite" }
        func positions(_ service: String) throws -> DeliveryPositions { try DeliveryPositions.of(database(service)) }

        func demo(seed: Int, offers: Int, candidates: Int) async throws {
            let demo = try SpawnedProcess(
                "passerelle",
                [
                    "demo", "--seed", "\(seed)", "--offers", "\(offers)", "--candidates", "\(candidates)",
                    "--offer-registry", self.offers.base, "--candidate-registry", self.candidates.base,
                ])
            #expect(try await demo.waitForExit(timeout: .seconds(180)) == .exited(0), "\(demo.stdout)\n\(demo.stderr)")
        }

        /// Waits until everything is delivered: the matcher applied both registries' streams to
        /// their latest seq and published its own, which notifier and statistics applied
        /// (unless `readers` is false).
        func settle(readers: Bool = true, timeout: Duration = .seconds(120)) async throws {
            var last = ""
            do {
                try await waitUntil("the chain to settle", timeout: timeout, interval: .milliseconds(200)) {
                    let offer = try positions("offer-registry").outbox["offer"] ?? 0
                    let candidate = try positions("candidate-registry").outbox["candidate"] ?? 0
                    let matcher = try positions("matcher")
                    let match = matcher.outbox["match"] ?? 0
                    let applied = try readersOfMatch()
                    last = "offer \(offer) candidate \(candidate); matcher \(matcher); readers of match \(applied)"
                    return matcher.inbox["offer-registry/offer"] == offer
                        && matcher.inbox["candidate-registry/candidate"] == candidate
                        && (matcher.published["match"] ?? 0) == match
                        && (!readers || applied.allSatisfy { $0 == match })
                }
            } catch {
                Issue.record("not settled: \(last)")
                throw error
            }
        }

        /// What notifier and statistics applied of the matcher's `match` stream.
        func readersOfMatch() throws -> [Int64] {
            try ["notifier", "statistics"].map { try positions($0).inbox["matcher/match"] ?? 0 }
        }

        /// Waits (bounded) until notifier and statistics applied the matcher's latest event;
        /// records an issue when they never do, and lets the test go on to say what they missed.
        func readersCaughtUp(timeout: Duration = .seconds(30)) async throws {
            let latest = try positions("matcher").outbox["match"] ?? 0
            do {
                try await waitUntil("readers of match at \(latest)", timeout: timeout) {
                    try readersOfMatch().allSatisfy { $0 == latest }
                }
            } catch {
                Issue.record(
                    "notifier and statistics stopped at match seqs \(try readersOfMatch()), the restored matcher is at \(latest)"
                )
            }
        }

        /// A service's matches (the matcher's, or statistics' copy): "offer candidate" → score.
        func matches(in service: String = "matcher") throws -> [String: Double] {
            try readDatabase(database(service)) { db in
                Dictionary(
                    uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT offer_id, candidate_id, score FROM matches")
                        .map {
                            ("\($0["offer_id"] as String) \($0["candidate_id"] as String)", $0["score"] as Double)
                        })
            }
        }
    }

    @Test("restored from a backup an hour of events old, the matcher catches up with nothing lost or applied twice")
    func matcherCatchesUp() async throws {
        var chain = try await Chain.start()
        try await chain.demo(seed: 1, offers: 8, candidates: 80)
        try await chain.settle()
        let backup = try await BackupTool.backup(
            into: scratchDirectory("catch-up-backups"), dataDirectories: [chain.root + "/matcher"])
        let backupCopy = backup + "/matcher.sqlite"
        let before = Set(
            try readDatabase(chain.database("candidate-registry")) {
                try String.fetchAll($0, sql: "SELECT id FROM candidates")
            })

        // An hour of a ministry's traffic: offers, registrations, and erasures of people the
        // matcher had matched meanwhile (their events are gone from the registry's replay).
        try await chain.demo(seed: 2, offers: 16, candidates: 240)
        try await chain.settle()
        let matchedInTheHour = Set(try chain.matches().keys.map { String($0.split(separator: " ")[1]) }).subtracting(
            before)
        let erased = matchedInTheHour.sorted().prefix(25)
        #expect(erased.count >= 10, "too few people matched in the hour to erase: \(matchedInTheHour.count)")
        for id in erased {
            #expect(try await request("DELETE", chain.candidates.base + "/candidates/\(id)").status == 204)
        }
        try await chain.settle()
        let reference = try chain.matches()
        let publishedBeforeRestore = try chain.positions("matcher").outbox["match"] ?? 0
        let backedUp = try DeliveryPositions.of(backupCopy).outbox["match"] ?? 0
        let backedUpIds = Set(try readDatabase(backupCopy) { try String.fetchAll($0, sql: "SELECT id FROM outbox") })
        #expect(
            publishedBeforeRestore > backedUp + 50,
            "the hour made few match events: \(backedUp) → \(publishedBeforeRestore)")
        let observer = try BusObserver(chain.broker, prefixes: ["match."])
        defer { Task { await observer.close() } }
        try await observer.waitUntilConnected(to: "matcher")

        chain.matcher.process.signal(SIGTERM)
        #expect(try await chain.matcher.process.waitForExit(timeout: .seconds(20)) == .exited(0))
        let (restored, restoreOutput) = try await BackupTool.restore(backup, ["--service", "matcher"])
        #expect(restored == .exited(0), "\(restoreOutput)")
        // Back to the backup's outbox, numbering on past what the replaced file had published.
        #expect(try chain.positions("matcher").outbox["match"] == backedUp)
        let floors = try readDatabase(chain.database("matcher")) { try OutboxFloor.all($0) }
        #expect(floors["match"] == publishedBeforeRestore + OutboxFloor.restoreMargin, "\(floors)")
        chain.matcher = try await RunningService.start(
            "matcher", broker: chain.broker, dataDirectory: chain.root + "/matcher")

        // It replays the hour from the registries: the same matches as before the restore.
        try await chain.settle(readers: false)
        try await chain.readersCaughtUp()
        #expect(try chain.matches() == reference, "the restored matcher's matches differ from before")
        #expect(Set(try chain.matches(in: "statistics").keys) == Set(reference.keys))

        // New offers after the restore: their matches reach notifier and statistics.
        // A biologist: no one of the demo's trades outranks them for a biologist's offer.
        let person = try await request(
            "POST", chain.candidates.base + "/candidates",
            json: sampleCandidate(["contact.phone": "+22376555001", "occupations": ["2131"]]))
        let personId = try #require(person.json?["id"]?.string)
        var newOffers: [String] = []
        for registration in ["B30000001", "B30000002", "B30000003"] {
            // Another employer each: the same one twice would be held as a duplicate.
            let offer = try await request(
                "POST", chain.offers.base + "/offers",
                json: sampleOffer([
                    "employer.registration": .string(registration), "positions": 1, "occupation": "2131",
                    "title": "Biologiste de laboratoire",
                ]))
            #expect(offer.json?["status"]?.string == "open", "\(offer.text)")
            newOffers.append(try #require(offer.json?["id"]?.string))
        }
        try await chain.settle(readers: false)
        try await chain.readersCaughtUp()
        let now = try chain.matches()
        for offer in newOffers { #expect(now["\(offer) \(personId)"] != nil, "no match for \(offer)") }
        #expect(Set(try chain.matches(in: "statistics").keys) == Set(now.keys), "statistics missed match events")
        let notified = Set(
            try readDatabase(chain.database("notifier")) { db in
                try String.fetchAll(
                    db, sql: "SELECT offer_id FROM messages WHERE candidate_id = ? AND template = 'match'",
                    arguments: [personId])
            })
        #expect(notified == Set(newOffers), "the notifier missed match events")
        // What it published after the restore is numbered past what readers had applied: a
        // seq they already held would have been skipped as a duplicate.
        let reused = observer.events([Topic.matchFound, Topic.matchWithdrawn]).filter {
            $0.seq <= publishedBeforeRestore && !backedUpIds.contains($0.id.uuidString.lowercased())
        }.map(\.seq)
        #expect(reused.isEmpty, "new events took seqs readers had applied: \(reused.prefix(5))")
        #expect(observer.events([Topic.matchFound]).contains { $0.seq > publishedBeforeRestore })
    }
}
