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
    /// - Parameters:
    ///   - maxMessageBytes: larger messages are dropped and counted, not forwarded.
    ///   - policy: with CURVE server options (and a ZAP authorizer for their domain), who may
    ///     publish and read what; subscriptions then go through XPUB_MANUAL so that the policy
    ///     grants each one. `nil`: every message and subscription passes.
    public init(
        publishers: String, subscribers: String, options: SocketOptions = SocketOptions(),
        maxMessageBytes: Int = 1 << 20, policy: (any BrokerPolicy)? = nil, context: BusContext = .shared,
        logger: Logger = Logger(label: "bus-broker")
    ) throws(BusError) {
        let frontend = try ZMQSocket(context: context, type: .xsub)
        let backend = try ZMQSocket(context: context, type: .xpub)
        var backendOptions = options
        backendOptions.xpubManual = policy != nil
        try options.apply(to: frontend)
        try backendOptions.apply(to: backend)
        try frontend.bind(publishers)
        try backend.bind(subscribers)
        publisherEndpoint = frontend.lastEndpoint
        subscriberEndpoint = backend.lastEndpoint
        let forwarder = Forwarder(
            frontend: frontend, backend: backend, maxMessageBytes: maxMessageBytes,
            counters: counters, policy: policy, logger: logger)
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
    let droppedRefused = Atomic<Int>(0)
    let subscriptionsRefused = Atomic<Int>(0)

    /// A consistent-enough copy for metrics and logs.
    public struct Snapshot: Sendable, Equatable {
        public var messagesForwarded: Int
        public var bytesForwarded: Int
        public var subscriptionsForwarded: Int
        public var subscriptionBytes: Int
        public var droppedMalformed: Int
        public var droppedOversize: Int
        /// Publications the policy refused (forged source, stream not allowed, unknown identity).
        public var droppedRefused: Int = 0
        /// Subscriptions the policy granted nothing for.
        public var subscriptionsRefused: Int = 0

        public init(
            messagesForwarded: Int, bytesForwarded: Int, subscriptionsForwarded: Int, subscriptionBytes: Int,
            droppedMalformed: Int, droppedOversize: Int, droppedRefused: Int = 0, subscriptionsRefused: Int = 0
        ) {
            self.droppedRefused = droppedRefused
            self.subscriptionsRefused = subscriptionsRefused
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
            droppedOversize: droppedOversize.load(ordering: .relaxed),
            droppedRefused: droppedRefused.load(ordering: .relaxed),
            subscriptionsRefused: subscriptionsRefused.load(ordering: .relaxed))
    }
}
