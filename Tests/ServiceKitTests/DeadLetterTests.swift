import Bus
import Foundation
import GRDB
import Logging
import Messages
import Testing

@testable import ServiceKit

private struct HandlerBroke: Error {}

/// Seq `n` of stream `e2e` from source `fixture`, carrying `n`.
private func event(_ n: Int) -> BusMessage {
    let envelope = Envelope(source: "fixture", seq: Int64(n), event: sampleEvent(n))
    return BusMessage(topic: envelope.type, envelope: envelope.encoded())
}

private func deadLetters(_ database: ServiceDatabase) async throws -> [(seq: Int64, reason: String)] {
    try await database.pool.read { db in
        try Row.fetchAll(db, sql: "SELECT seq, reason FROM inbox_dead_letters ORDER BY seq").map {
            (seq: $0["seq"], reason: $0["reason"])
        }
    }
}

@Suite("Dead letters: an event that cannot be applied is kept, and the stream goes on", .timeLimit(.minutes(1)))
struct DeadLetterTests {
    @Test("a handler that throws: the event is kept with the reason, its partial effect undone, the others applied")
    func handlerFailure() async throws {
        let database = try subscriberDatabase()
        let health = HealthChecks(service: "subscriber")
        // Writes its effect, then fails on seq 2: the write must not survive.
        let inbox = Inbox(database: database, streams: ["e2e"], health: health, logger: Logger(label: "inbox")) {
            envelope, db in
            try recordEffect(envelope, db)
            if envelope.seq == 2 { throw HandlerBroke() }
        }
        await inbox.receive([event(1), event(2), event(3)])

        #expect(try await effects(database) == [1, 3])
        let letters = try await deadLetters(database)
        #expect(letters.map(\.seq) == [2])
        #expect(letters.first?.reason.contains("HandlerBroke") == true, "\(letters)")
        #expect(try await inbox.appliedSeq(source: "fixture", stream: "e2e") == 3)
        #expect(await inbox.statistics.deadLettered == 1)
        #expect(inbox.deadLetters.value == 1)
        let check = try #require(health.current.checks["inbox"])
        #expect(check.status == .degraded && check.detail.contains("dead letter"), "\(check)")

        // The service is fixed and restarted: the new build applies the kept event.
        let fixedHealth = HealthChecks(service: "subscriber")
        let fixed = Inbox(
            database: database, streams: ["e2e"], health: fixedHealth, logger: Logger(label: "inbox"),
            handler: recordEffect)
        #expect(try await fixed.retryDeadLetters() == 1)
        #expect(try await effects(database) == [1, 2, 3])
        #expect(try await deadLetters(database).isEmpty)
        #expect(fixedHealth.current.checks["inbox"]?.status == .ok)
        await fixed.receive(event(2))  // and the event, if it came again, is a duplicate
        #expect(try await effects(database) == [1, 2, 3])
    }

    @Test("a dead letter that still fails stays, with the new reason, and health stays degraded")
    func retryStillFailing() async throws {
        let database = try subscriberDatabase()
        let first = Inbox(database: database, streams: ["e2e"], logger: Logger(label: "inbox")) { _, _ in
            throw HandlerBroke()
        }
        await first.receive(event(1))
        struct StillBroken: Error {}
        let health = HealthChecks(service: "subscriber")
        let second = Inbox(database: database, streams: ["e2e"], health: health, logger: Logger(label: "inbox")) {
            _, _ in throw StillBroken()
        }
        #expect(try await second.retryDeadLetters() == 0)
        #expect(try await deadLetters(database).map(\.reason).first?.contains("StillBroken") == true)
        #expect(health.current.checks["inbox"]?.status == .degraded)
    }

    @Test("an envelope of a schema version this build does not know is dead-lettered, not skipped")
    func unknownVersion() async throws {
        let database = try subscriberDatabase()
        let health = HealthChecks(service: "subscriber")
        let inbox = Inbox(
            database: database, streams: ["e2e"], health: health, replayTimeout: .milliseconds(200),
            logger: Logger(label: "inbox"), handler: recordEffect)
        let current = event(2)
        let text = String(decoding: current.envelope, as: UTF8.self)
        #expect(text.contains(#""v":1"#))
        let newer = BusMessage(
            topic: current.topic, envelope: Array(text.replacingOccurrences(of: #""v":1"#, with: #""v":2"#).utf8))

        await inbox.receive([event(1), newer, event(3)])

        #expect(try await effects(database) == [1, 3], "seq 3 is applied: the stream moved past seq 2")
        let letters = try await deadLetters(database)
        #expect(letters.map(\.seq) == [2])
        #expect(letters.first?.reason.contains("v=2") == true, "\(letters)")
        #expect(try await inbox.appliedSeq(source: "fixture", stream: "e2e") == 3)
        #expect(await inbox.statistics.deadLettered == 1)
        #expect(health.current.checks["inbox"]?.detail.contains("dead letter") == true)
    }

    @Test("a replayed envelope of a newer schema version reaches the inbox instead of failing the repair")
    func unknownVersionByReplay() async throws {
        let current = event(1)
        let newer = String(decoding: current.envelope, as: UTF8.self).replacingOccurrences(
            of: #""v":1"#, with: #""v":2"#)
        let header = ReplayProtocol.Header(request: "r", stream: "e2e", from: 1, count: 1, latest: 1)
        let frames = [try CanonicalJSON.encode(header), Array(current.topic.utf8), Array(newer.utf8)]
        let batch = try ReplayClient.check(
            frames, header: header, stream: "e2e", from: 1, endpoint: "test", source: "fixture")
        #expect(batch.messages.count == 1, "the v2 event is handed over, for the inbox to keep as a dead letter")
        #expect(throws: ReplayError.self) {
            _ = try ReplayClient.check(
                frames, header: header, stream: "e2e", from: 1, endpoint: "test", source: "other")
        }
    }
}
