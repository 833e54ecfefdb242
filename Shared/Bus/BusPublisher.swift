import Synchronization

/// Publishes bus messages. It connects to the broker's XSUB endpoint (or binds, for a
/// direct link without broker) with an XPUB socket, which also reports the subscriptions
/// that reach it, so a caller can wait until a subscriber is really listening (ZeroMQ's
/// slow-joiner rule) instead of sleeping and hoping.
public final class BusPublisher: Sendable {
    let socket: BusSocket
    private let seen = Mutex<Set<[UInt8]>>([])

    /// Connects to `connect` endpoints (the broker) and binds `bind` endpoints (direct links).
    public init(
        connect: [String] = [], bind: [String] = [], options: SocketOptions = SocketOptions(),
        context: BusContext = .shared
    ) throws(BusError) {
        socket = try BusSocket(
            type: .xpub, options: options, bind: bind, connect: connect, context: context,
            receiveCapacity: 1_024)
    }

    /// The endpoints bound, wildcard ports resolved.
    public var boundEndpoints: [String] { socket.boundEndpoints }

    /// Queues one message; suspends only while the send queue is full.
    public func publish(_ message: BusMessage) async throws {
        try await socket.send(message.frames)
    }

    /// Queues a topic and envelope bytes.
    public func publish(topic: String, envelope: [UInt8]) async throws {
        try await socket.send([Array(topic.utf8), envelope])
    }

    /// Returns once all queued messages were handed to libzmq.
    public func flush() async throws { try await socket.flush() }

    /// Waits until a subscription covering `topic` reached this publisher (a subscriber
    /// whose prefix is a prefix of `topic`), or throws ``BusError/timedOut(what:)``.
    public func waitForSubscriber(covering topic: String, timeout: Duration) async throws {
        let wanted = Array(topic.utf8)
        func covered() -> Bool {
            seen.withLock { prefixes in prefixes.contains { wanted.starts(with: $0) } }
        }
        if covered() { return }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                while let frames = try await self.socket.receive() {
                    // An XPUB socket reads subscriptions as one frame: 1 (or 0) then the prefix.
                    guard frames.count == 1, let kind = frames[0].first else { continue }
                    let prefix = Array(frames[0].dropFirst())
                    self.seen.withLock { prefixes in
                        if kind == 1 { prefixes.insert(prefix) } else { prefixes.remove(prefix) }
                    }
                    if covered() { return }
                }
                throw BusError.closed
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw BusError.timedOut(what: "a subscriber of \(topic)")
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    /// Closes the socket; messages already handed over are flushed for up to LINGER.
    public func close() async {
        try? await socket.flush()
        await socket.close()
    }
}
