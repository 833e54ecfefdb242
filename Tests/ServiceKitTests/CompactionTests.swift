import Bus
import Foundation
import GRDB
import Logging
import Messages
import ServiceLifecycle
import ServiceTesting
import Testing

@testable import ServiceKit

/// Events of the standard streams, small and distinct.
enum History {
    static let givenAt = Timestamp(millisecondsSinceEpoch: 1_790_000_000_000)

    static func profile(_ id: String, experience: Int = 1) throws -> CandidateProfile {
        CandidateProfile.sample(id, experience: experience)
    }

    static func contact(_ id: String, family: String) -> ContactDetails {
        ContactDetails(
            candidateId: id, name: PersonName(given: "Awa", family: family),
            contact: Contact(phone: "+22370000000", preferredChannel: .sms, language: .fr))
    }

    static func notification(_ n: Int, to id: String) -> Event {
        .notificationSent(
            NotificationEvent(notificationId: "n-\(n)", candidateId: id, channel: "spool", template: "match"))
    }
}

/// The rows of `stream` left in the outbox, as (seq, topic).
func rows(_ stream: String, _ database: ServiceDatabase) async throws -> [String] {
    try await database.pool.read { db in
        try Row.fetchAll(db, sql: "SELECT seq, topic FROM outbox WHERE stream = ? ORDER BY seq", arguments: [stream])
            .map { "\($0["seq"] as Int64) \($0["topic"] as String)" }
    }
}

/// Marks everything written so far as published by the relay (compaction touches only that).
func markPublished(_ database: ServiceDatabase, except: Set<String> = []) async throws {
    try await database.pool.write { db in
        for (stream, latest) in try Outbox.latest(db) where !except.contains(stream) {
            try db.execute(
                sql: "INSERT OR REPLACE INTO outbox_relay (stream, published) VALUES (?, ?)",
                arguments: [stream, latest])
        }
    }
}

@Suite("Outbox history: compaction of state streams, pruning of fact streams", .timeLimit(.minutes(2)))
struct CompactionTests {
    @Test("compaction keeps each record's latest event or tombstone, only touches published rows, and not e2e")
    func compactionKeepsLatest() async throws {
        let database = try ServiceDatabase(directory: temporaryDirectory(), name: "compaction")
        let outbox = Outbox(source: "fixture")
        try await database.pool.write { db in
            try outbox.append(.offerPublished(.sample(id: "offer-a")), in: db)  // offer 1
            try outbox.append(.offerUpdated(.sample(id: "offer-a", positions: 3)), in: db)  // 2
            try outbox.append(.offerPublished(Offer.sample(id: "offer-b")), in: db)  // 3
            try outbox.append(.offerUpdated(.sample(id: "offer-a", positions: 4)), in: db)  // 4
            var closed = Offer.sample(id: "offer-b")
            closed.status = .closed
            try outbox.append(.offerClosed(closed), in: db)  // 5: offer-b's tombstone
            try outbox.append(.candidateRegistered(try History.profile("c-1")), in: db)  // candidate 1
            try outbox.append(.candidateUpdated(try History.profile("c-1", experience: 2)), in: db)  // 2
            for n in 1...3 { try outbox.append(sampleEvent(n), in: db) }  // e2e: no record, kept whole
        }
        try await markPublished(database, except: ["candidate"])
        // Nothing is old enough yet.
        #expect(try await Outbox.compact(olderThan: Timestamp(millisecondsSinceEpoch: 0), database.pool) == 0)
        let future = Timestamp(millisecondsSinceEpoch: Timestamp.now.millisecondsSinceEpoch + 60_000)
        #expect(try await Outbox.compact(olderThan: future, database.pool) == 3)
        #expect(try await rows("offer", database) == ["4 offer.updated", "5 offer.closed"])
        // Unpublished rows wait for the relay.
        #expect(try await rows("candidate", database) == ["1 candidate.registered", "2 candidate.updated"])
        #expect(try await rows("e2e", database).count == 3)
        try await markPublished(database)
        #expect(try await Outbox.compact(olderThan: future, database.pool) == 1)
        #expect(try await rows("candidate", database) == ["2 candidate.updated"])
        // Numbering goes on after compaction.
        let next = try await database.pool.write { db in try outbox.append(.offerPublished(.sample(id: "c")), in: db) }
        #expect(next.seq == 6)
    }

    @Test("an outbox written before record keys gets them when the service is upgraded")
    func upgradeBackfillsRecords() async throws {
        let directory = temporaryDirectory()
        let path = (directory as NSString).appendingPathComponent("upgraded.sqlite")
        // The file as the first release left it: its two migrations applied, three events.
        let old = try DatabaseQueue(path: path)
        let events: [Event] = [
            .offerPublished(.sample(id: "offer-a")), .candidateErased(CandidateErased(candidateId: "c-9")),
            sampleEvent(1),
        ]
        try await old.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
                    INSERT INTO grdb_migrations VALUES ('servicekit-v1-outbox'), ('servicekit-v1-inbox');
                    CREATE TABLE outbox (
                        stream TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL UNIQUE, topic TEXT NOT NULL,
                        time INTEGER NOT NULL, envelope BLOB NOT NULL, PRIMARY KEY (stream, seq)) WITHOUT ROWID;
                    CREATE TABLE outbox_relay (stream TEXT PRIMARY KEY, published INTEGER NOT NULL);
                    CREATE TABLE inbox (
                        source TEXT NOT NULL, stream TEXT NOT NULL, applied INTEGER NOT NULL,
                        PRIMARY KEY (source, stream)) WITHOUT ROWID;
                    """)
            for event in events {
                let envelope = Envelope(source: "fixture", seq: 1, event: event)
                try db.execute(
                    sql: "INSERT INTO outbox VALUES (?, 1, ?, ?, 0, ?)",
                    arguments: [event.stream, envelope.id.uuidString, envelope.type, Data(envelope.encoded())])
            }
        }
        try old.close()
        let database = try ServiceDatabase(directory: directory, name: "upgraded")
        let records = try await database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT stream, record FROM outbox ORDER BY stream").map {
                "\($0["stream"] as String)=\(($0["record"] as String?) ?? "none")"
            }
        }
        #expect(records == ["candidate=c-9", "e2e=none", "offer=offer-a"])
    }

    @Test("pruning a fact stream by age keeps its newest row and moves the start of its history")
    func pruningFacts() async throws {
        let database = try ServiceDatabase(directory: temporaryDirectory(), name: "pruning")
        let outbox = Outbox(source: "fixture")
        let old = Timestamp(millisecondsSinceEpoch: Timestamp.now.millisecondsSinceEpoch - 10 * 86_400_000)
        try await database.pool.write { db in
            for n in 1...5 { try outbox.append(History.notification(n, to: "c-1"), time: old, in: db) }
            try outbox.append(History.notification(6, to: "c-1"), in: db)
            for n in 1...3 { try outbox.append(sampleEvent(n), time: old, in: db) }
            try outbox.append(History.notification(7, to: "c-1"), time: old, in: db)  // old, but the newest
        }
        try await markPublished(database)
        let cutoff = Timestamp(millisecondsSinceEpoch: Timestamp.now.millisecondsSinceEpoch - 86_400_000)
        #expect(try await Outbox.prune(streams: ["notification"], olderThan: cutoff, database.pool) == 5)
        #expect(try await rows("notification", database) == ["6 notification.sent", "7 notification.sent"])
        #expect(try await database.pool.read { db in try Outbox.first(stream: "notification", db) } == 6)
        #expect(try await rows("e2e", database).count == 3, "a stream not declared as facts is not pruned")
    }

    @Test("replay names the seqs gone on purpose; a reply that hides or doubles a seq is refused")
    func replayNamesAbsentSeqs() async throws {
        let database = try ServiceDatabase(directory: temporaryDirectory(), name: "replay-absent")
        let outbox = Outbox(source: "fixture")
        try await database.pool.write { db in
            for round in 1...3 {
                for id in ["a", "b"] { try outbox.append(.offerUpdated(.sample(id: id, positions: round)), in: db) }
            }
            try outbox.append(.offerPublished(.sample(id: "c")), in: db)
        }
        // offer: 1 a, 2 b, 3 a, 4 b, 5 a, 6 b, 7 c → compaction leaves 5, 6, 7.
        try await markPublished(database)
        _ = try await Outbox.compact(
            olderThan: Timestamp(millisecondsSinceEpoch: Timestamp.now.millisecondsSinceEpoch + 60_000), database.pool)
        let server = try ReplayServer(database: database, endpoint: "tcp://127.0.0.1:*", logger: Logger(label: "r"))
        let client = try ReplayClient(endpoint: server.endpoint, source: "fixture")
        try await withReplayServer(server) {
            let all = try await client.fetch(stream: "offer", from: 1, timeout: .seconds(5))
            #expect(all.messages.count == 3 && all.through == 7 && all.latest == 7)
            #expect(all.absent == [1...4])
            let small = try await client.fetch(stream: "offer", from: 2, limit: 2, timeout: .seconds(5))
            #expect(small.messages.count == 2 && small.through == 6 && small.absent == [2...4])
            let beyond = try await client.fetch(stream: "offer", from: 8, timeout: .seconds(5))
            #expect(beyond.messages.isEmpty && beyond.through < 8 && beyond.absent.isEmpty)
        }
        await client.close()

        // Replies that do not account for every seq exactly once are refused.
        let stored = try await database.pool.read { db in try Outbox.messages(stream: "offer", from: 1, limit: 9, db) }
        let frames = [[UInt8]()] + stored.flatMap { [Array($0.topic.utf8), $0.envelope] }
        func check(through: Int64, absent: [[Int64]]) throws -> ReplayProtocol.Batch {
            let header = ReplayProtocol.Header(
                request: "r", stream: "offer", from: 1, count: stored.count, latest: 7, through: through,
                absent: absent)
            return try ReplayClientProbe.check(frames, header: header, from: 1)
        }
        #expect(try check(through: 7, absent: [[1, 4]]).absentCount == 4)
        #expect(throws: ReplayError.self, "seq 4 neither sent nor declared") {
            try check(through: 7, absent: [[1, 3]])
        }
        #expect(throws: ReplayError.self, "seq 5 both sent and declared") { try check(through: 7, absent: [[1, 5]]) }
        #expect(throws: ReplayError.self, "beyond the newest seq") {
            try check(through: 9, absent: [[1, 4], [8, 9]])
        }
        #expect(throws: ReplayError.self, "unordered ranges") { try check(through: 7, absent: [[3, 4], [1, 2]]) }
        #expect(throws: ReplayError.self, "a range upside down") { try check(through: 7, absent: [[4, 1]]) }
        // A publisher of the earlier protocol (no `through`): its rows must be contiguous.
        let legacy = ReplayProtocol.Header(request: "r", stream: "offer", from: 1, count: stored.count, latest: 7)
        #expect(throws: ReplayError.self) { try ReplayClientProbe.check(frames, header: legacy, from: 1) }
    }

    @Test("a reader that starts after compaction and pruning arrives at the current state, nothing more")
    func lateJoinerArrivesAtCurrentState() async throws {
        let fixture = try PublishingFixture()
        let old = Timestamp(millisecondsSinceEpoch: Timestamp.now.millisecondsSinceEpoch - 10 * 86_400_000)
        // 60 candidates, each updated three times; every third erased; old and new notifications.
        let expected = try await fixture.database.pool.write { db -> [String: String] in
            var expected: [String: String] = [:]
            for n in 1...60 {
                let id = "c-\(n)"
                try fixture.outbox.append(.candidateRegistered(try History.profile(id)), in: db)
                try fixture.outbox.append(.contactUpdated(History.contact(id, family: "Old\(n)")), in: db)
                try fixture.outbox.append(History.notification(n, to: id), time: old, in: db)
            }
            for round in 2...4 {
                for n in 1...60 {
                    try fixture.outbox.append(
                        .candidateUpdated(try History.profile("c-\(n)", experience: round)), in: db)
                }
            }
            for n in 1...60 {
                let id = "c-\(n)"
                if n % 3 == 0 {
                    try fixture.outbox.append(.candidateErased(CandidateErased(candidateId: id)), in: db)
                    try fixture.outbox.append(.contactErased(ContactErased(candidateId: id)), in: db)
                    try Outbox.forget(record: id, stream: "candidate", in: db)
                    try Outbox.forget(record: id, stream: "contact", in: db)
                } else {
                    try fixture.outbox.append(.contactUpdated(History.contact(id, family: "New\(n)")), in: db)
                    expected["candidate \(id)"] = "4"
                    expected["contact \(id)"] = "New\(n)"
                }
            }
            for n in 61...70 {
                try fixture.outbox.append(History.notification(n, to: "c-1"), in: db)
                expected["notification n-\(n)"] = "c-1"
            }
            return expected
        }
        let publishing = ServiceGroup(services: [fixture.relay, fixture.replay], logger: Logger(label: "test"))
        let database = try ServiceDatabase(directory: temporaryDirectory(), name: "late") { migrator in
            migrator.registerMigration("state") { db in
                try db.execute(sql: "CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            }
        }
        let health = HealthChecks(service: "late")
        let inbox = Inbox(
            database: database, streams: ["candidate", "contact", "notification"], health: health,
            logger: Logger(label: "inbox")
        ) { envelope, db in
            func set(_ key: String, _ value: String?) throws {
                if let value {
                    try db.execute(sql: "INSERT OR REPLACE INTO state VALUES (?, ?)", arguments: [key, value])
                } else {
                    try db.execute(sql: "DELETE FROM state WHERE key = ?", arguments: [key])
                }
            }
            switch envelope.payload {
            case .candidateRegistered(let p), .candidateUpdated(let p):
                try set("candidate \(p.id)", "\(p.experienceYears)")
            case .candidateErased(let e): try set("candidate \(e.candidateId)", nil)
            case .contactUpdated(let d): try set("contact \(d.candidateId)", d.name.family)
            case .contactErased(let e): try set("contact \(e.candidateId)", nil)
            case .notificationSent(let n):
                // A plain INSERT: the same notification twice fails (a dead letter), not absorbed.
                try db.execute(
                    sql: "INSERT INTO state VALUES (?, ?)",
                    arguments: ["notification \(n.notificationId)", n.candidateId])
            default: break
            }
        }
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await publishing.run() }
            let latest = try await fixture.database.pool.read { db in try Outbox.latest(db) }
            let published = try await eventually(seconds: 30) {
                try await fixture.database.pool.read { db in
                    try Int.fetchOne(
                        db,
                        sql:
                            "SELECT COUNT(*) FROM outbox_relay WHERE published = (SELECT MAX(seq) FROM outbox WHERE outbox.stream = outbox_relay.stream)"
                    )
                } == 3 ? true : nil
            }
            try #require(published == true, "the relay published every stream")
            let soon = Timestamp(millisecondsSinceEpoch: Timestamp.now.millisecondsSinceEpoch + 60_000)
            let compacted = try await Outbox.compact(olderThan: soon, fixture.database.pool)
            let dayAgo = Timestamp(millisecondsSinceEpoch: Timestamp.now.millisecondsSinceEpoch - 86_400_000)
            let pruned = try await Outbox.prune(streams: ["notification"], olderThan: dayAgo, fixture.database.pool)
            #expect(compacted > 0 && pruned == 60)
            let held = try await fixture.database.pool.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox") ?? 0
            }
            // Only now does the reader connect: it can learn the history from replay alone.
            let consumer = InboxConsumer(
                inbox: inbox, subscriber: try BusSubscriber(connect: [fixture.bus], prefixes: inbox.prefixes),
                logger: Logger(label: "consumer"))
            let subscribing = ServiceGroup(services: [consumer], logger: Logger(label: "test"))
            tasks.addTask { try await subscribing.run() }
            let caughtUp = try await eventually(seconds: 60) { () async throws -> Bool? in
                for (stream, seq) in latest
                where try await inbox.appliedSeq(source: "fixture", stream: stream) != seq {
                    return nil
                }
                return true
            }
            try #require(caughtUp == true, "the late reader reached the newest seq of every stream")
            let statistics = await inbox.statistics
            let total = latest.values.reduce(0, +)
            #expect(statistics.applied == held, "each held event applied once: \(statistics)")
            #expect(Int64(statistics.absentOnPurpose) == total - Int64(held), "every other seq passed over")
            #expect(statistics.deadLettered == 0)
            await subscribing.triggerGracefulShutdown()
            await publishing.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        let state = try await database.pool.read { db in
            try Dictionary(
                uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT key, value FROM state").map {
                    ($0["key"] as String, $0["value"] as String)
                })
        }
        #expect(state == expected)
        #expect(health.current.checks["inbox"]?.status == .ok)
    }
}

/// `ReplayClient.check` for a reply to request "r" on stream `offer`, from source `fixture`.
enum ReplayClientProbe {
    static func check(_ frames: [[UInt8]], header: ReplayProtocol.Header, from: Int64) throws -> ReplayProtocol.Batch {
        var frames = frames
        frames[0] = Array(try CanonicalJSON.encode(header))
        return try ReplayClient.check(
            frames, header: header, stream: "offer", from: from, endpoint: "test", source: "fixture")
    }
}

@Suite("ServiceDatabase durability")
struct DurabilityTests {
    @Test("the writer commits with synchronous=FULL and secure_delete on (GRDB's WAL set-up would leave NORMAL)")
    func writerIsDurable() async throws {
        let database = try ServiceDatabase(directory: temporaryDirectory(), name: "durable")
        let (synchronous, secureDelete) = try await database.pool.writeWithoutTransaction { db in
            (try Int.fetchOne(db, sql: "PRAGMA synchronous"), try Int.fetchOne(db, sql: "PRAGMA secure_delete"))
        }
        #expect(synchronous == 2, "2 is FULL, 1 NORMAL")
        #expect(secureDelete == 1)
    }
}
