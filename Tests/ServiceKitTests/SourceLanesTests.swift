import Bus
import Foundation
import GRDB
import Logging
import Messages
import Testing

@testable import ServiceKit

private func event(_ n: Int, from source: String) -> BusMessage {
    let envelope = Envelope(source: source, seq: Int64(n), event: sampleEvent(n))
    return BusMessage(topic: envelope.type, envelope: envelope.encoded())
}

/// A heartbeat sent by `sender` whose payload names `source`, announcing `seq` of `e2e`
/// (its topic is the payload's, `heartbeat.<source>`, as the envelope's type requires).
private func heartbeat(from sender: String, naming source: String, seq: Int64, replay: String) -> BusMessage {
    let envelope = Envelope(
        source: sender, seq: 0, event: .heartbeat(Heartbeat(source: source, streams: ["e2e": seq], replay: replay)))
    return BusMessage(topic: envelope.type, envelope: envelope.encoded())
}

private func effects(of source: String, in database: ServiceDatabase) async throws -> [Int64] {
    try await database.pool.read { db in
        try Int64.fetchAll(db, sql: "SELECT n FROM effects WHERE source = ? ORDER BY seq", arguments: [source])
    }
}

@Suite("SourceLanes: one source's repair never delays another source", .timeLimit(.minutes(1)))
struct SourceLanesTests {
    @Test("while A's repair waits on a replay endpoint that never answers, B's live messages apply at once")
    func sourcesAreIndependent() async throws {
        // Reads requests (so we know A's repair has begun) and never answers them.
        let silent = try BusSocket(type: .router, bind: ["tcp://127.0.0.1:*"])
        let database = try subscriberDatabase()
        let inbox = Inbox(
            database: database, streams: ["e2e"], replayTimeout: .seconds(10), logger: Logger(label: "inbox"),
            handler: recordEffect)
        let lanes = SourceLanes(inbox: inbox)

        lanes.dispatch([heartbeat(from: "a-source", naming: "a-source", seq: 5, replay: silent.boundEndpoints[0])])
        #expect(try await next(silent, within: .seconds(5)) != nil, "A's repair asks its replay endpoint")

        let start = ContinuousClock.now
        lanes.dispatch([event(1, from: "b-source"), event(2, from: "b-source")])
        lanes.dispatch([event(3, from: "b-source")])
        // Well inside A's 10 s replay timeout (3 s, loose: the whole suite shares two cores).
        let applied = try await eventually(seconds: 3) {
            try await effects(of: "b-source", in: database) == [1, 2, 3] ? ContinuousClock.now - start : nil
        }
        #expect(applied != nil, "B waited behind A's repair")
        #expect(try await inbox.appliedSeq(source: "a-source", stream: "e2e") == 0)
        #expect(await inbox.statistics.replayFailures == 0, "A's repair is still waiting, not given up")

        await silent.close()
        await lanes.finish()
    }

    @Test("a heartbeat whose payload names another source than its sender is ignored and counted")
    func forgedHeartbeat() async throws {
        let listening = try BusSocket(type: .router, bind: ["tcp://127.0.0.1:*"])
        let database = try subscriberDatabase()
        let inbox = Inbox(
            database: database, streams: ["e2e"], replayTimeout: .seconds(1), logger: Logger(label: "inbox"),
            handler: recordEffect)
        let lanes = SourceLanes(inbox: inbox)

        lanes.dispatch([heartbeat(from: "b-source", naming: "a-source", seq: 5, replay: listening.boundEndpoints[0])])
        let counted = try await eventually(seconds: 5) { await inbox.statistics.forgedHeartbeats == 1 ? true : nil }
        #expect(counted == true)
        #expect(try await next(listening, within: .milliseconds(500)) == nil, "no replay asked on a forged heartbeat")
        #expect(try await inbox.appliedSeq(source: "a-source", stream: "e2e") == 0)

        await listening.close()
        await lanes.finish()
    }
}
