import Bus
import Messages
import ServiceKit

/// The broker every end-to-end run goes through: the `bus-broker`'s forwarding core in this
/// process, with its own ZeroMQ context (so its own I/O thread, as the separate process has)
/// and the hub's default high-water marks (BrokerService: 200,000 each way). One broker
/// serves every run, as a real, long-lived broker would.
func startBroker() throws -> BrokerCore {
    var options = SocketOptions()
    options.sendHighWaterMark = 200_000
    options.receiveHighWaterMark = 200_000
    return try BrokerCore(
        publishers: "tcp://127.0.0.1:*", subscribers: "tcp://127.0.0.1:*", options: options,
        context: BusContext(ioThreads: 1), logger: Workload.logger("bus-broker"))
}

/// Why a run stopped before the inbox applied everything.
struct Stalled: Error, CustomStringConvertible {
    let description: String
}

/// Waits for an inbox to have applied a target seq of the benchmark stream.
enum AppliedWatch {
    /// Often enough that the end time is a few ms late at most, rarely enough not to
    /// compete with the inbox actor it queries.
    static let pollInterval: Duration = .milliseconds(2)
    /// Delivery repairs a loss within seconds (heartbeat each second, replay retried with
    /// back-off), so a seq that has not moved for this long means a bug, not a slow machine.
    static let stallLimit: Duration = .seconds(30)

    /// Returns when `inbox` has applied `target`, with the instant it was seen; calls
    /// `nudge` between polls (the catch-up case retries repairs there). Throws ``Stalled``.
    static func wait(
        for inbox: Inbox, target: Int64, nudge: () async -> Void = {}
    ) async throws -> ContinuousClock.Instant {
        var seen: Int64 = -1
        var since = ContinuousClock.now
        while true {
            let applied = try await inbox.appliedSeq(source: Workload.source, stream: Workload.stream)
            let now = ContinuousClock.now
            if applied >= target { return now }
            if applied != seen {
                (seen, since) = (applied, now)
            } else if since.duration(to: now) >= stallLimit {
                let statistics = await inbox.statistics
                throw Stalled(
                    description: "the inbox stayed at seq \(applied) of \(target) for \(stallLimit); "
                        + "inbox statistics: \(statistics)")
            }
            await nudge()
            try await Task.sleep(for: pollInterval)
        }
    }

    /// Returns at the first heartbeat of the benchmark's relay seen on `subscriber`. The
    /// inbox's socket gets the same heartbeat before any event published after it, so the
    /// inbox knows the replay endpoint before the first event (a loss is then repaired at once).
    static func firstHeartbeat(on subscriber: BusSubscriber, timeout: Duration) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            let topic = Topic.heartbeat(source: Workload.source)
            group.addTask {
                while let delivery = try await subscriber.next() {
                    if case .message(let message) = delivery, message.topic == topic { return }
                }
                throw Stalled(description: "the heartbeat subscriber closed")
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw Stalled(description: "no heartbeat from the relay within \(timeout)")
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }
}
