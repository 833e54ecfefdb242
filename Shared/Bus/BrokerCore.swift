import CZeroMQ
import Foundation
import Logging
import Synchronization

/// The forwarding heart of `bus-broker`: XSUB (publishers connect) ⇄ XPUB (subscribers
/// connect), the ZeroMQ guide's Espresso pattern, on one dedicated thread.
///
/// Messages move with `zmq_msg_send` (no copies). Unlike `zmq_proxy`, it checks the wire
/// protocol's framing (two frames, non-empty UTF-8 topic, size limit) and drops, counts and
/// logs what breaks it, so one faulty publisher cannot feed garbage to every subscriber.
/// Subscriptions flow the other way unchanged. The broker keeps no state: kill it and
/// restart it at any time.
public final class BrokerCore: Sendable {
    /// Endpoints bound, wildcard ports resolved.
    public let publisherEndpoint: String
    public let subscriberEndpoint: String
    /// Running totals, readable from any thread.
    public let counters = BrokerCounters()

    private let wake = WakeUpSignal()
    private let stopping = Atomic<Bool>(false)
    private let finished = Mutex<(done: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    /// Binds both sockets and starts forwarding at once.
    ///
    /// - Parameter maxMessageBytes: larger messages are dropped and counted, not forwarded.
    public init(
        publishers: String, subscribers: String, options: SocketOptions = SocketOptions(),
        maxMessageBytes: Int = 1 << 20, context: BusContext = .shared, logger: Logger = Logger(label: "bus-broker")
    ) throws(BusError) {
        let frontend = try ZMQSocket(context: context, type: .xsub)
        let backend = try ZMQSocket(context: context, type: .xpub)
        try options.apply(to: frontend)
        try options.apply(to: backend)
        try frontend.bind(publishers)
        try backend.bind(subscribers)
        publisherEndpoint = frontend.lastEndpoint
        subscriberEndpoint = backend.lastEndpoint
        let forwarder = Forwarder(
            frontend: frontend, backend: backend, maxMessageBytes: maxMessageBytes,
            counters: counters, logger: logger)
        let thread = Thread { [self] in
            forwarder.run(wake: wake, stopping: stopping)
            forwarder.closeSockets()
            let waiters = finished.withLock { state in
                state.done = true
                defer { state.waiters.removeAll() }
                return state.waiters
            }
            waiters.forEach { $0.resume() }
        }
        thread.name = "bus-broker"
        thread.start()
    }

    /// Stops forwarding and waits until both sockets are closed.
    public func stop() async {
        stopping.store(true, ordering: .sequentiallyConsistent)
        wake.signal()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = finished.withLock { state in
                if state.done { return true }
                state.waiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }
}

/// Totals kept by the broker, each way; read with ``snapshot()``.
public final class BrokerCounters: Sendable {
    let messagesForwarded = Atomic<Int>(0)
    let bytesForwarded = Atomic<Int>(0)
    let subscriptionsForwarded = Atomic<Int>(0)
    let subscriptionBytes = Atomic<Int>(0)
    let droppedMalformed = Atomic<Int>(0)
    let droppedOversize = Atomic<Int>(0)

    /// A consistent-enough copy for metrics and logs.
    public struct Snapshot: Sendable, Equatable {
        public var messagesForwarded: Int
        public var bytesForwarded: Int
        public var subscriptionsForwarded: Int
        public var subscriptionBytes: Int
        public var droppedMalformed: Int
        public var droppedOversize: Int

        public init(
            messagesForwarded: Int, bytesForwarded: Int, subscriptionsForwarded: Int, subscriptionBytes: Int,
            droppedMalformed: Int, droppedOversize: Int
        ) {
            self.messagesForwarded = messagesForwarded
            self.bytesForwarded = bytesForwarded
            self.subscriptionsForwarded = subscriptionsForwarded
            self.subscriptionBytes = subscriptionBytes
            self.droppedMalformed = droppedMalformed
            self.droppedOversize = droppedOversize
        }
    }

    public func snapshot() -> Snapshot {
        Snapshot(
            messagesForwarded: messagesForwarded.load(ordering: .relaxed),
            bytesForwarded: bytesForwarded.load(ordering: .relaxed),
            subscriptionsForwarded: subscriptionsForwarded.load(ordering: .relaxed),
            subscriptionBytes: subscriptionBytes.load(ordering: .relaxed),
            droppedMalformed: droppedMalformed.load(ordering: .relaxed),
            droppedOversize: droppedOversize.load(ordering: .relaxed))
    }
}
