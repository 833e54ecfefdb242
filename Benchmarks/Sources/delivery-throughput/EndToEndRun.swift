import Bus
import Foundation
import GRDB
import Messages
import ServiceKit
import ServiceLifecycle

/// What one measured run produced; its events/s only count when `problem` is nil.
struct RunOutcome: Sendable {
    let events: Int
    let elapsed: Duration
    /// What the line of this run adds after the rate (publisher time, replayed, duplicates).
    let detail: String
    let problem: String?

    var rate: Double { Double(events) / (elapsed / .seconds(1)) }
}

/// Durable end to end: the publisher appends events to its outbox in write transactions,
/// OutboxRelay publishes each commit through the broker, and InboxConsumer/Inbox applies them
/// to the subscriber's effect table. Timed from the first append until the inbox has applied
/// the last seq, which is committed in the subscriber's file by then.
enum EndToEndRun {
    static func run(events: Int, batch: Int, broker: BrokerCore) async throws -> RunOutcome {
        let scratch = try Scratch("end-to-end")
        defer { scratch.remove() }
        let publisherDatabase = try ServiceDatabase(directory: scratch.path, name: "publisher")
        let subscriberDatabase = try Workload.subscriberDatabase(in: scratch.path)
        let replay = try ReplayServer(
            database: publisherDatabase, endpoint: "tcp://127.0.0.1:*", logger: Workload.logger("replay"))
        // Services' default socket options (high-water marks of 100,000), as in production: a
        // message dropped at a full queue is part of what durable delivery has to absorb.
        let publisher = try BusPublisher(connect: [broker.publisherEndpoint])
        let relay = OutboxRelay(
            database: publisherDatabase, publisher: publisher, source: Workload.source,
            replayEndpoint: replay.endpoint, logger: Workload.logger("relay"))
        let inbox = Inbox(
            database: subscriberDatabase, streams: [Workload.stream], logger: Workload.logger("inbox"),
            handler: Workload.handler)
        // A prefix no earlier run used: the broker may still know "bench." from the previous
        // run's subscriber, so only this one proves that this run's subscriber is connected.
        let marker = "bench.ready-\(UInt64.random(in: 0...UInt64.max))"
        let consumer = InboxConsumer(
            inbox: inbox,
            subscriber: try BusSubscriber(connect: [broker.subscriberEndpoint], prefixes: inbox.prefixes + [marker]),
            logger: Workload.logger("consumer"))
        let subscribing = ServiceGroup(services: [consumer], logger: Workload.logger("subscriber"))
        let publishing = ServiceGroup(services: [relay, replay], logger: Workload.logger("publisher"))

        return try await withThrowingTaskGroup(of: Void.self) { services in
            services.addTask { try await subscribing.run() }
            let result: Result<RunOutcome, any Error>
            do {
                // The slow-joiner rule: the relay's own socket must hold the inbox's subscriptions
                // (sent in order on one connection, so "bench." is there once the marker is).
                // The relay never reads that socket, so waiting on it here takes nothing away.
                try await publisher.waitForSubscriber(covering: marker, timeout: .seconds(10))
                let heartbeats = try BusSubscriber(
                    connect: [broker.subscriberEndpoint], prefixes: [Topic.heartbeat(source: Workload.source)])
                services.addTask { try await publishing.run() }
                do {
                    try await AppliedWatch.firstHeartbeat(on: heartbeats, timeout: .seconds(10))
                    await heartbeats.close()
                } catch {
                    await heartbeats.close()
                    throw error
                }
                result = .success(try await measure(events, batch, publisherDatabase, inbox))
            } catch {
                result = .failure(error)
            }
            // Stop both sides whatever happened, so that a failed run leaves nothing running.
            await publishing.triggerGracefulShutdown()
            await subscribing.triggerGracefulShutdown()
            try await services.waitForAll()
            let outcome = try result.get()
            guard outcome.problem == nil else { return outcome }
            let problem = try await Workload.verify(subscriberDatabase, expected: events)
            return RunOutcome(events: events, elapsed: outcome.elapsed, detail: outcome.detail, problem: problem)
        }
    }

    private static func measure(
        _ events: Int, _ batch: Int, _ database: ServiceDatabase, _ inbox: Inbox
    ) async throws -> RunOutcome {
        let outbox = Outbox(source: Workload.source)
        let start = ContinuousClock.now
        // The publisher runs beside the watch: the subscriber side applies while it appends.
        let appending = Task {
            for first in stride(from: 1, through: events, by: batch) {
                try Task.checkCancellation()
                let last = min(events, first + batch - 1)
                try await database.pool.write { db in
                    _ = try outbox.append(contentsOf: (first...last).map(Workload.event), in: db)
                }
            }
            return start.duration(to: .now)
        }
        let end: ContinuousClock.Instant
        do {
            end = try await AppliedWatch.wait(for: inbox, target: Int64(events))
        } catch let stalled as Stalled {
            appending.cancel()
            return RunOutcome(events: events, elapsed: .zero, detail: "", problem: stalled.description)
        }
        let appended = try await appending.value
        let statistics = await inbox.statistics
        let detail = String(
            format: "appended in %.3f s; %d replayed, %d duplicates skipped",
            appended / .seconds(1), statistics.replayed, statistics.duplicates)
        return RunOutcome(events: events, elapsed: start.duration(to: end), detail: detail, problem: nil)
    }
}
