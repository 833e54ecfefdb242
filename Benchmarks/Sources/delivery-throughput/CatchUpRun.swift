import Bus
import Foundation
import GRDB
import Messages
import ServiceKit
import ServiceLifecycle

/// Catch-up: a subscriber that missed everything fetches a publisher's history from its
/// replay endpoint alone (no live messages), as a new or long-stopped service does.
enum CatchUpRun {
    /// Rows per transaction while pre-filling: big, so that filling stays cheap.
    static let fillBatch = 10_000

    /// Fills a publisher file with `events` events through `Outbox.append` (the rows are
    /// exactly what a service writes), serves it with a ReplayServer while `body` runs, and
    /// removes it afterwards. `body` gets the replay endpoint and how long filling took.
    static func withReplaySource<T>(
        events: Int, _ body: (_ endpoint: String, _ filling: Duration) async throws -> T
    ) async throws -> T {
        let scratch = try Scratch("catch-up-source")
        defer { scratch.remove() }
        let database = try ServiceDatabase(directory: scratch.path, name: "publisher")
        let outbox = Outbox(source: Workload.source)
        let start = ContinuousClock.now
        for first in stride(from: 1, through: events, by: fillBatch) {
            let last = min(events, first + fillBatch - 1)
            try await database.pool.write { db in
                _ = try outbox.append(contentsOf: (first...last).map(Workload.event), in: db)
            }
        }
        let filling = start.duration(to: .now)
        let replay = try ReplayServer(
            database: database, endpoint: "tcp://127.0.0.1:*", logger: Workload.logger("replay"))
        let serving = ServiceGroup(services: [replay], logger: Workload.logger("replay-source"))
        return try await withThrowingTaskGroup(of: Void.self, returning: T.self) { group in
            group.addTask { try await serving.run() }
            let result: Result<T, any Error>
            do {
                result = .success(try await body(replay.endpoint, filling))
            } catch {
                result = .failure(error)
            }
            await serving.triggerGracefulShutdown()
            try await group.waitForAll()
            return try result.get()
        }
    }

    /// One run: a fresh subscriber file and Inbox, told by one heartbeat that the source holds
    /// `events` events; timed from that heartbeat until the inbox has applied the last one.
    static func run(events: Int, endpoint: String) async throws -> RunOutcome {
        let scratch = try Scratch("catch-up")
        defer { scratch.remove() }
        let database = try Workload.subscriberDatabase(in: scratch.path)
        let inbox = Inbox(
            database: database, streams: [Workload.stream], logger: Workload.logger("inbox"),
            handler: Workload.handler)
        let beat = Envelope(
            source: Workload.source, seq: 0,
            event: .heartbeat(
                Heartbeat(source: Workload.source, streams: [Workload.stream: Int64(events)], replay: endpoint)))
        let start = ContinuousClock.now
        // The inbox repairs the whole gap inside this call, batch after batch; the retries
        // below only matter if a fetch failed (they honour the inbox's back-off).
        await inbox.receive(BusMessage(topic: beat.type, envelope: beat.encoded()))
        let end: ContinuousClock.Instant
        do {
            end = try await AppliedWatch.wait(for: inbox, target: Int64(events)) { await inbox.retryRepairs() }
        } catch let stalled as Stalled {
            return RunOutcome(events: events, elapsed: .zero, detail: "", problem: stalled.description)
        }
        let statistics = await inbox.statistics
        let problem = try await Workload.verify(database, expected: events)
        let detail = "\(statistics.replayed) replayed, \(statistics.replayFailures) failed fetches"
        return RunOutcome(events: events, elapsed: start.duration(to: end), detail: detail, problem: problem)
    }
}
