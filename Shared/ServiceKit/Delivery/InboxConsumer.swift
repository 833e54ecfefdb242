import Bus
import Logging
import Messages
import ServiceLifecycle
import Synchronization

/// Runs an ``Inbox`` on a bus subscription until graceful shutdown.
///
/// Sources are independent (DESIGN.md, "Delivery"): each source's messages go to a lane of
/// their own, a task that hands them to the inbox in order. A source whose gap is being
/// repaired, or whose replay endpoint is dead, holds up its own lane only; the others go on.
public struct InboxConsumer: Service {
    let inbox: Inbox
    let subscriber: BusSubscriber
    let logger: Logger

    public init(inbox: Inbox, subscriber: BusSubscriber, logger: Logger) {
        self.inbox = inbox
        self.subscriber = subscriber
        self.logger = logger
    }

    public func run() async throws {
        do {
            try await inbox.retryDeadLetters()
        } catch {
            logger.error("dead letters could not be retried", metadata: ["error": "\(error)"])
        }
        let lanes = SourceLanes(inbox: inbox)
        do {
            try await cancelWhenGracefulShutdown {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        while let batch = try await subscriber.nextBatch(max: 1_000) {
                            lanes.dispatch(
                                batch.compactMap { if case .message(let message) = $0 { message } else { nil } })
                        }
                    }
                    group.addTask {
                        while true {
                            try await Task.sleep(for: .seconds(1))
                            lanes.retryRepairs()
                        }
                    }
                    try await group.next()
                    group.cancelAll()
                }
            }
        } catch is CancellationError {}
        await lanes.finish()
        await subscriber.close()
    }
}

/// One task per source, each feeding the inbox that source's messages in order.
final class SourceLanes: Sendable {
    enum Work: Sendable {
        case messages([BusMessage])
        case retry
    }

    final class Lane: Sendable {
        let continuation: AsyncStream<Work>.Continuation
        let task: Task<Void, Never>
        /// A retry is queued and not yet run: the next tick adds none (no pile-up behind a
        /// lane stuck on a dead endpoint).
        let retryQueued = RetryFlag()

        final class RetryFlag: Sendable {
            let queued = Atomic<Bool>(false)
        }

        init(source: String, inbox: Inbox) {
            let (stream, continuation) = AsyncStream<Work>.makeStream()
            self.continuation = continuation
            let retryQueued = retryQueued
            task = Task {
                for await work in stream {
                    switch work {
                    case .messages(let messages):
                        await inbox.receive(messages)
                    case .retry:
                        retryQueued.queued.store(false, ordering: .relaxed)
                        await inbox.retryRepairs(source: source)
                    }
                }
            }
        }
    }

    /// Most lanes at once; sources beyond share one (only an open bus can have that many).
    static let maximumLanes = 256
    private static let overflow = "\u{0}overflow"

    let inbox: Inbox
    private let lanes = Mutex<[String: Lane]>([:])

    init(inbox: Inbox) { self.inbox = inbox }

    /// Splits a burst by source, keeping each source's order, and queues each part on its lane.
    func dispatch(_ messages: [BusMessage]) {
        var parts: [String: [BusMessage]] = [:]
        var order: [String] = []
        for message in messages {
            let source = Self.source(of: message)
            if parts[source] == nil { order.append(source) }
            parts[source, default: []].append(message)
        }
        for source in order { lane(for: source).continuation.yield(.messages(parts[source]!)) }
    }

    func retryRepairs() {
        for lane in lanes.withLock({ Array($0.values) })
        where !lane.retryQueued.queued.exchange(true, ordering: .relaxed) {
            lane.continuation.yield(.retry)
        }
    }

    func finish() async {
        let all = lanes.withLock { lanes in
            defer { lanes.removeAll() }
            return Array(lanes.values)
        }
        for lane in all {
            lane.continuation.finish()
            await lane.task.value
        }
    }

    private func lane(for source: String) -> Lane {
        lanes.withLock { lanes in
            if let lane = lanes[source] { return lane }
            let key = lanes.count < Self.maximumLanes ? source : Self.overflow
            if let lane = lanes[key] { return lane }
            let lane = Lane(source: key, inbox: inbox)
            lanes[key] = lane
            return lane
        }
    }

    /// The sending source: a heartbeat's topic names it; otherwise the envelope's `source`.
    /// A message it cannot tell goes to lane "" (the inbox refuses it there, with the reason).
    static func source(of message: BusMessage) -> String {
        if message.topic.hasPrefix("heartbeat.") { return String(message.topic.dropFirst("heartbeat.".count)) }
        let found = message.envelope.withUnsafeBytes { try? StrictJSON.topLevelString("source", in: $0) }
        return (found ?? nil) ?? ""
    }
}
