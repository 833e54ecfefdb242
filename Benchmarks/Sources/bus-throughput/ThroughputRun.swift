import Bus
import Synchronization

/// Where messages travel from the publisher to the subscriber.
enum Route: Sendable {
    /// The publisher binds, the subscriber connects to it: no broker.
    case direct
    /// Both connect to a broker: publisher to its XSUB, subscriber to its XPUB.
    case broker(publishers: String, subscribers: String)
    /// The same through a broker with security on: CURVE on both links, ZAP, and the ACL and
    /// source check on every message (the clients' options carry their keys).
    case secureBroker(
        publishers: String, subscribers: String, publisher: SocketOptions, subscriber: SocketOptions, checks: Bool)

    var name: String {
        switch self {
        case .direct: "direct"
        case .broker: "broker"
        case .secureBroker(_, _, _, _, let checks): checks ? "broker+curve+acl" : "broker+curve"
        }
    }
}

/// What one run measured: messages/s only counts when `problem` is nil.
struct RunOutcome: Sendable {
    let received: Int
    let elapsed: Duration
    /// Why not every message arrived in order; nil for a clean run.
    let problem: String?
}

/// One end-to-end run: fresh sockets, wait for the subscription, publish `count` messages
/// and time from the first publish to the last receipt.
enum ThroughputRun {
    /// No new message for this long means messages were lost (delivery is in order, so a
    /// lost tail would otherwise make the subscriber wait forever).
    static let stallLimit: Duration = .seconds(5)

    static func run(route: Route, template: EnvelopeTemplate, count: Int) async throws -> RunOutcome {
        // No high-water marks: a dropped message must mean a bug, never a full queue.
        let options = SocketOptions.unbounded
        let prefix = "bench."  // a whole stream, as reliable consumers subscribe
        // A prefix no earlier run used: through a broker, "bench." may still be known upstream
        // from the previous run's subscriber, so only this one proves the new one is connected.
        let marker = "bench.ready-\(UInt64.random(in: 0...UInt64.max))"
        let publisher: BusPublisher
        let subscriber: BusSubscriber
        switch route {
        case .direct:
            publisher = try BusPublisher(bind: ["tcp://127.0.0.1:*"], options: options)
            subscriber = try BusSubscriber(
                connect: publisher.boundEndpoints, prefixes: [prefix, marker], options: options)
        case .broker(let publishers, let subscribers):
            publisher = try BusPublisher(connect: [publishers], options: options)
            subscriber = try BusSubscriber(connect: [subscribers], prefixes: [prefix, marker], options: options)
        case .secureBroker(let publishers, let subscribers, let publisherOptions, let subscriberOptions, _):
            publisher = try BusPublisher(connect: [publishers], options: publisherOptions)
            subscriber = try BusSubscriber(
                connect: [subscribers], prefixes: [prefix, marker], options: subscriberOptions)
        }
        do {
            // The slow-joiner rule: publishing before the subscription arrived would drop messages.
            try await publisher.waitForSubscriber(covering: marker, timeout: .seconds(10))
            try await confirmPath(publisher, subscriber)
            let outcome = try await measure(publisher, subscriber, template, count)
            await publisher.close()
            await subscriber.close()
            return outcome
        } catch {
            await publisher.close()
            await subscriber.close()
            throw error
        }
    }

    /// Messages received so far, shared with the watchdog (an atomic cannot be captured by a task).
    private final class Progress: Sendable {
        let received = Atomic<Int>(0)
    }

    /// Topic of the readiness pings: within the measured stream's prefix, outside the marker's.
    static let pingTopic = "bench.ping"

    /// Proves the stream's own subscription is live end to end before the run: the marker
    /// reaching the publisher shows the subscriber is connected, not that every table on the
    /// way (the broker's, through a reconnecting subscriber's leftovers) carries `bench.` yet.
    /// Pings go out until one arrives; those still on their way are skipped by `receive`.
    private static func confirmPath(_ publisher: BusPublisher, _ subscriber: BusSubscriber) async throws {
        let pinger = Task {
            while !Task.isCancelled {
                // Names its source: a secure broker forwards nothing else.
                try? await publisher.publish(
                    topic: pingTopic, envelope: Array(#"{"source":"\#(EnvelopeTemplate.source)"}"#.utf8))
                try? await Task.sleep(for: .milliseconds(2))
            }
        }
        defer { pinger.cancel() }
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                while let delivery = try await subscriber.next() {
                    if case .message(let message) = delivery, message.topic == pingTopic { return true }
                }
                return false
            }
            group.addTask {
                try await Task.sleep(for: .seconds(10))
                return false
            }
            let arrived = try await group.next() ?? false
            group.cancelAll()
            guard arrived else { throw BusError.timedOut(what: "a ping through the \(pingTopic) subscription") }
        }
        pinger.cancel()
        await pinger.value  // every ping is handed over before the first measured message
    }

    private enum Step: Sendable {
        case published(start: ContinuousClock.Instant)
        case received(end: ContinuousClock.Instant, count: Int, problem: String?)
        case watched
    }

    private static func measure(
        _ publisher: BusPublisher, _ subscriber: BusSubscriber, _ template: EnvelopeTemplate, _ count: Int
    ) async throws -> RunOutcome {
        let progress = Progress()
        return try await withThrowingTaskGroup(of: Step.self) { group in
            group.addTask { try await receive(subscriber, template, count, progress) }
            group.addTask { await watch(progress, subscriber) }
            group.addTask { try await publish(publisher, template, count) }
            var start: ContinuousClock.Instant?
            var receipt: (end: ContinuousClock.Instant, count: Int, problem: String?)?
            for try await step in group {
                switch step {
                case .published(let instant): start = instant
                case .received(let end, let count, let problem):
                    receipt = (end, count, problem)
                    group.cancelAll()  // stops the watchdog, and the publisher if it is still going
                case .watched: break
                }
            }
            guard let start, let receipt else { fatalError("the publisher and subscriber tasks always report") }
            let elapsed = start.duration(to: receipt.end)
            return RunOutcome(received: receipt.count, elapsed: elapsed, problem: receipt.problem)
        }
    }

    private static func publish(
        _ publisher: BusPublisher, _ template: EnvelopeTemplate, _ count: Int
    ) async throws
        -> Step
    {
        let start = ContinuousClock.now
        // Building each envelope is part of publishing, as in a real service; it is a copy and a patch.
        for seq in 1...count where !Task.isCancelled {
            try await publisher.publish(topic: EnvelopeTemplate.topic, envelope: template.envelope(seq: seq))
        }
        return .published(start: start)
    }

    private static func receive(
        _ subscriber: BusSubscriber, _ template: EnvelopeTemplate, _ count: Int, _ progress: Progress
    ) async throws -> Step {
        var next = 1
        var problem: String?
        while next <= count {
            guard let delivery = try await subscriber.next() else {
                problem = "no message for \(stallLimit) after \(next - 1) of \(count): the rest was lost"
                break
            }
            guard case .message(let message) = delivery else {
                problem = "message \(next) is malformed: \(delivery)"
                break
            }
            if message.topic == pingTopic { continue }  // readiness pings, all sent before seq 1
            guard let seq = template.seq(of: message.envelope) else {
                problem = "message \(next) has an unexpected envelope of \(message.envelope.count) B"
                break
            }
            guard seq == next else {
                problem = "expected seq \(next), got \(seq): messages lost or reordered"
                break
            }
            progress.received.store(next, ordering: .relaxed)
            next += 1
        }
        return .received(end: .now, count: next - 1, problem: problem)
    }

    /// Closes the subscriber when nothing arrives for `stallLimit`, which ends `receive`.
    private static func watch(_ progress: Progress, _ subscriber: BusSubscriber) async -> Step {
        var seen = -1
        var since = ContinuousClock.now
        while true {
            do { try await Task.sleep(for: .milliseconds(250)) } catch { return .watched }  // cancelled: done
            let received = progress.received.load(ordering: .relaxed)
            if received != seen {
                seen = received
                since = .now
            } else if since.duration(to: .now) >= stallLimit {
                await subscriber.close()
                return .watched
            }
        }
    }
}
