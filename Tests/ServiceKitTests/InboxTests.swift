import Bus
import Foundation
import GRDB
import Logging
import Messages
import ServiceKit
import ServiceLifecycle
import Testing

/// A subscriber's store: the effect table has a UNIQUE key, so applying twice would fail.
func subscriberDatabase() throws -> ServiceDatabase {
    try ServiceDatabase(directory: temporaryDirectory(), name: "subscriber") { migrator in
        migrator.registerMigration("test-v1") { db in
            try db.execute(sql: "CREATE TABLE effects (source TEXT, seq INTEGER, n INTEGER, UNIQUE (source, seq))")
        }
    }
}

func recordEffect(_ envelope: Envelope, _ db: Database) throws {
    guard case .unknown(_, let payload) = envelope.payload, case .int(let n)? = payload["n"] else { return }
    try db.execute(
        sql: "INSERT INTO effects (source, seq, n) VALUES (?, ?, ?)", arguments: [envelope.source, envelope.seq, n])
}

func effects(_ database: ServiceDatabase) async throws -> [Int64] {
    try await database.pool.read { db in try Int64.fetchAll(db, sql: "SELECT n FROM effects ORDER BY seq") }
}

/// A publishing fixture: outbox, relay (heartbeat every 100 ms) and replay server.
struct PublishingFixture {
    let database: ServiceDatabase
    let outbox = Outbox(source: "fixture")
    let bus: String
    let relay: OutboxRelay
    let replay: ReplayServer

    init() throws {
        database = try ServiceDatabase(directory: temporaryDirectory(), name: "publisher")
        bus = "inproc://fixture-\(UUID().uuidString)"
        replay = try ReplayServer(database: database, endpoint: "tcp://127.0.0.1:*", logger: Logger(label: "replay"))
        relay = OutboxRelay(
            database: database, publisher: try BusPublisher(bind: [bus]), source: "fixture",
            replayEndpoint: replay.endpoint, heartbeatInterval: .milliseconds(100), logger: Logger(label: "relay"))
    }

    func emit(_ range: ClosedRange<Int>) async throws {
        try await database.pool.write { db in
            for n in range { try outbox.append(sampleEvent(n), in: db) }
        }
    }
}

@Suite("Inbox: each event applied exactly once, in order, gaps repaired from replay", .timeLimit(.minutes(2)))
struct InboxTests {
    @Test("a subscriber started after everything was published catches up from replay alone")
    func lateSubscriber() async throws {
        let fixture = try PublishingFixture()
        try await fixture.emit(1...3_000)
        let database = try subscriberDatabase()
        let health = HealthChecks(service: "subscriber")
        let inbox = Inbox(
            database: database, streams: ["e2e"], health: health, logger: Logger(label: "inbox"),
            handler: recordEffect)
        // Publish everything to nobody first: the subscriber can only catch up from replay.
        let publishing = ServiceGroup(services: [fixture.relay, fixture.replay], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await publishing.run() }
            let published = try await eventually(seconds: 30) {
                try await fixture.database.pool.read { db in
                    try Int64.fetchOne(db, sql: "SELECT published FROM outbox_relay WHERE stream = 'e2e'")
                } == 3_000 ? true : nil
            }
            #expect(published == true)
            // Only now does the subscriber connect: nothing published so far can reach it live.
            let consumer = InboxConsumer(
                inbox: inbox, subscriber: try BusSubscriber(connect: [fixture.bus], prefixes: inbox.prefixes),
                logger: Logger(label: "consumer"))
            let subscribing = ServiceGroup(services: [consumer], logger: Logger(label: "test"))
            tasks.addTask { try await subscribing.run() }
            let caughtUp = try await eventually(seconds: 60) {
                try await inbox.appliedSeq(source: "fixture", stream: "e2e") == 3_000 ? true : nil
            }
            #expect(caughtUp == true)
            try await fixture.emit(3_001...3_010)  // and live messages after the catch-up
            _ = try await eventually(seconds: 30) {
                try await inbox.appliedSeq(source: "fixture", stream: "e2e") == 3_010 ? true : nil
            }
            await subscribing.triggerGracefulShutdown()
            await publishing.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(try await effects(database) == Array(1...3_010))
        #expect(health.current.checks["inbox"]?.status == .ok)
        let statistics = await inbox.statistics
        #expect(statistics.applied == 3_010 && statistics.replayed >= 3_000, "\(statistics)")
    }

    @Test("duplicates are skipped, a gap is repaired before the later message, a heartbeat ahead is followed")
    func duplicatesAndGaps() async throws {
        let fixture = try PublishingFixture()
        try await fixture.emit(1...10)
        let stored = try await fixture.database.pool.read { db in
            try Outbox.messages(stream: "e2e", from: 1, limit: 10, db)
        }
        func message(_ seq: Int) -> BusMessage {
            BusMessage(topic: stored[seq - 1].topic, envelope: stored[seq - 1].envelope)
        }
        let database = try subscriberDatabase()
        let inbox = Inbox(database: database, streams: ["e2e"], logger: Logger(label: "inbox"), handler: recordEffect)
        let group = ServiceGroup(services: [fixture.replay], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            // The inbox learns the replay endpoint from a heartbeat that is not ahead yet.
            let beat = Envelope(
                source: "fixture", seq: 0,
                event: .heartbeat(Heartbeat(source: "fixture", streams: [:], replay: fixture.replay.endpoint)))
            await inbox.receive(BusMessage(topic: beat.type, envelope: beat.encoded()))
            await inbox.receive(message(1))
            await inbox.receive(message(2))
            await inbox.receive(message(2))  // duplicate
            await inbox.receive(message(1))  // duplicate
            await inbox.receive(message(5))  // gap: 3 and 4 come from replay first
            #expect(try await effects(database) == [1, 2, 3, 4, 5])
            let ahead = Envelope(
                source: "fixture", seq: 0,
                event: .heartbeat(Heartbeat(source: "fixture", streams: ["e2e": 10], replay: fixture.replay.endpoint)))
            await inbox.receive(BusMessage(topic: ahead.type, envelope: ahead.encoded()))
            #expect(try await effects(database) == Array(1...10))
            await inbox.receive(message(7))  // late duplicate after the repair
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(try await effects(database) == Array(1...10))
        #expect(await inbox.statistics.duplicates == 3)
    }

    @Test("with its replay endpoint down, the inbox applies nothing out of order, says it is behind, and recovers")
    func replayDown() async throws {
        let fixture = try PublishingFixture()
        try await fixture.emit(1...5)
        let stored = try await fixture.database.pool.read { db in
            try Outbox.messages(stream: "e2e", from: 1, limit: 5, db)
        }
        let database = try subscriberDatabase()
        let health = HealthChecks(service: "subscriber")
        let inbox = Inbox(
            database: database, streams: ["e2e"], health: health, replayTimeout: .milliseconds(200),
            logger: Logger(label: "inbox"), handler: recordEffect)
        let beat = Envelope(
            source: "fixture", seq: 0,
            event: .heartbeat(Heartbeat(source: "fixture", streams: ["e2e": 5], replay: fixture.replay.endpoint)))
        await inbox.receive(BusMessage(topic: beat.type, envelope: beat.encoded()))  // server not running yet
        await inbox.receive(BusMessage(topic: stored[4].topic, envelope: stored[4].envelope))
        #expect(try await effects(database).isEmpty, "seq 5 must wait for 1 to 4")
        #expect(health.current.checks["inbox"]?.status == .degraded)
        #expect(await inbox.statistics.replayFailures >= 1)

        let group = ServiceGroup(services: [fixture.replay], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            _ = try await eventually(seconds: 30) {
                await inbox.retryRepairs()
                return try await effects(database).count == 5 ? true : nil
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(try await effects(database) == [1, 2, 3, 4, 5])
        #expect(health.current.checks["inbox"]?.status == .ok)
    }
}

/// Polls `check` every 10 ms for up to `seconds`; returns its first non-nil value.
func eventually<T>(seconds: Double = 5, _ check: () async throws -> T?) async throws -> T? {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline {
        if let value = try await check() { return value }
        try await Task.sleep(for: .milliseconds(10))
    }
    return try await check()
}
