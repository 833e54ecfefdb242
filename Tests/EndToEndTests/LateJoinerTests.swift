import Foundation
import GRDB
import Messages
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// What fixture-subscriber's `GET /state` says: per table, rows and a digest.
struct StateDigest: Codable, Equatable {
    struct Table: Codable, Equatable {
        var rows: Int
        var sha256: String
    }
    var candidates: Table
    var contacts: Table
    var notifications: Table
    var notificationIds: [String]
}

/// The publisher's outbox, read from its file (read-only, beside the running process).
struct PublisherOutbox {
    let path: String

    init(dataDirectory: String) {
        path = (dataDirectory as NSString).appendingPathComponent("fixture-publisher.sqlite")
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        return try queue.read(body)
    }

    /// The newest seq of each stream.
    func latest() throws -> [String: Int64] {
        try read { db in
            try Dictionary(
                uniqueKeysWithValues: Row.fetchAll(
                    db, sql: "SELECT stream, MAX(seq) AS seq FROM outbox GROUP BY stream"
                )
                .map { ($0["stream"] as String, $0["seq"] as Int64) })
        }
    }

    func rowCount() throws -> Int { try read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox") ?? 0 } }
}

/// Every match of `pattern` (ASCII) in the files under `directory`, one pass per file.
func words(matching pattern: String, under directory: String) throws -> Set<String> {
    let pattern = try NSRegularExpression(pattern: pattern)
    var found = Set<String>()
    for name in try FileManager.default.subpathsOfDirectory(atPath: directory) {
        let path = (directory as NSString).appendingPathComponent(name)
        guard let data = FileManager.default.contents(atPath: path) else { continue }
        // Latin-1 maps each byte to one character: ASCII words are found wherever they sit.
        let text = String(decoding: data.map { UInt16($0) }, as: UTF16.self)
        for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            found.insert((text as NSString).substring(with: match.range))
        }
    }
    return found
}

@Suite("Late joiners after log compaction and retention", .serialized, .timeLimit(.minutes(5)))
struct LateJoinerTests {
    @Test(
        "10,000 events with updates and erasures, compacted and pruned: a new subscriber's state equals a live one's, erased people nowhere in its files"
    )
    func lateJoinerAfterCompaction() async throws {
        let broker = try RestartableBroker()
        let running = try await broker.start()
        let live = try await startFixture(
            "fixture-subscriber", broker: broker, dataDirectory: scratchDirectory("live"), ["--follow", "candidates"])
        let publisherData = scratchDirectory("history")
        let workload = [
            "--workload", "candidates", "--events", "10000", "--batch", "200", "--old-facts", "5000",
            "--fact-age-days", "30",
        ]
        var publisher = try await startFixture(
            "fixture-publisher", broker: broker, dataDirectory: publisherData, workload)
        _ = try await publisher.process.waitForStderr("emitted 10000", timeout: .seconds(60))
        let outbox = PublisherOutbox(dataDirectory: publisherData)
        let latest = try outbox.latest()
        try #require(Set(latest.keys) == ["candidate", "contact", "notification"], "\(latest)")

        // The live subscriber hears everything as it happens.
        let heard = try await waitForApplied(live.http) { $0.appliedSeqs == latest }

        // The publisher stops, and comes back with compaction (at once) and 10 days of facts.
        publisher.process.signal(SIGTERM)
        try #require(try await publisher.process.waitForExit(timeout: .seconds(10)) == .exited(0))
        let before = try outbox.rowCount()
        publisher = try await startFixture(
            "fixture-publisher", broker: broker, dataDirectory: publisherData,
            workload + ["--delivery-compact-after-days", "0", "--delivery-retention-days", "10"])
        let compacted = try await publisher.process.waitForStderr(
            #"compacted=(\d+) pruned=\d+ \[ServiceKit\] outbox history maintained"#)
        let pruned = try await publisher.process.waitForStderr(
            #"compacted=\d+ pruned=(\d+) \[ServiceKit\] outbox history maintained"#)
        let after = try outbox.rowCount()
        #expect((Int(compacted) ?? 0) > 0 && (Int(pruned) ?? 0) > 0, "compacted \(compacted), pruned \(pruned)")
        #expect(after == before - (Int(compacted) ?? 0) - (Int(pruned) ?? 0), "rows: \(before) → \(after)")
        #expect(try outbox.latest() == latest, "numbering goes on: each stream keeps its newest row")
        let erased = try outbox.read { db in
            try String.fetchAll(db, sql: "SELECT record FROM outbox WHERE topic = 'candidate.erased'")
        }
        let keptNotifications = try outbox.read { db in
            try Data.fetchAll(db, sql: "SELECT envelope FROM outbox WHERE stream = 'notification'").map {
                guard case .notificationSent(let sent) = try Envelope.decode(bytes: [UInt8]($0)).payload else {
                    throw HarnessError.notSeen(process: "publisher", pattern: "notification.sent", stderr: "")
                }
                return sent.notificationId
            }
        }
        try #require(erased.count >= 50, "the workload erased people: \(erased.count)")

        // A new subscriber arrives: it can learn only from the compacted history.
        let lateData = scratchDirectory("late")
        let late = try await startFixture(
            "fixture-subscriber", broker: broker, dataDirectory: lateData, ["--follow", "candidates"])
        let report = try await waitForApplied(late.http) { $0.appliedSeqs == latest }
        print(
            "late joiner: \(Int(latest.values.reduce(0, +))) seqs, \(before) rows before, compacted \(compacted), pruned \(pruned), \(after) rows held; \(erased.count) people erased; the late subscriber applied \(report.effects) and passed over \(report.absentOnPurpose)"
        )
        let total = Int(latest.values.reduce(0, +))
        #expect(report.effects == after, "it applied each event the publisher still holds, once")
        #expect(report.absentOnPurpose == total - after, "and passed over every other seq")
        expectExactlyOnce(report, subscriber: late.process)
        expectExactlyOnce(heard, subscriber: live.process)

        // Its state is the live subscriber's: every live record, in its latest version.
        let liveState = try await httpJSON(StateDigest.self, "http://\(live.http)/state")
        let lateState = try await httpJSON(StateDigest.self, "http://\(late.http)/state")
        #expect(lateState.candidates == liveState.candidates && lateState.candidates.rows > 100)
        #expect(lateState.contacts == liveState.contacts && lateState.contacts.rows == lateState.candidates.rows)
        // Facts: only those within retention; the live subscriber had the older ones too.
        #expect(lateState.notificationIds == keptNotifications.sorted())
        #expect(Set(lateState.notificationIds).isSubset(of: Set(liveState.notificationIds)))
        #expect(liveState.notificationIds.count > lateState.notificationIds.count, "old facts were pruned")

        // Nothing about an erased person in the late subscriber's files; the live ones are there.
        late.process.signal(SIGTERM)
        #expect(try await late.process.waitForExit(timeout: .seconds(10)) == .exited(0))
        let ids = try words(matching: "cand-wl-[0-9]{5}", under: lateData)
        let names = try words(matching: "Famille[0-9]+Zq", under: lateData)
        let erasedNames = Set(erased.map { "Famille\(Int($0.dropFirst("cand-wl-".count)) ?? -1)Zq" })
        #expect(ids.intersection(erased).isEmpty, "erased ids in the late subscriber's files")
        #expect(names.intersection(erasedNames).isEmpty, "erased people's names in the late subscriber's files")
        // The scan finds what is there: every live candidate's id and name.
        #expect(ids.count == lateState.candidates.rows && names.count == lateState.contacts.rows)
        _ = running
    }
}

/// GETs `url` and decodes its JSON body as `T`.
func httpJSON<T: Decodable>(_ type: T.Type, _ url: String) async throws -> T {
    let (data, _) = try await URLSession.shared.data(from: URL(string: url)!)
    return try JSONDecoder().decode(T.self, from: data)
}
