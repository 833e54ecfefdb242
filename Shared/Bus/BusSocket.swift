import Synchronization

/// A ZeroMQ socket usable from async code: configured, bound and connected at creation,
/// then owned by a dedicated thread (see ``SocketLoop``).
///
/// ```swift
/// let socket = try BusSocket(type: .sub, connect: ["tcp://127.0.0.1:7101"], subscribe: ["offer."])
/// while let frames = try await socket.receive() { … }
/// ```
public final class BusSocket: Sendable {
    /// The socket type.
    public let type: SocketType
    /// The endpoints this socket bound, wildcard ports (`tcp://127.0.0.1:*`) resolved.
    public let boundEndpoints: [String]
    let loop: SocketLoop
    /// Whether ``receiveIdentified()`` reports who sent each message.
    public let capturesIdentity: Bool

    /// Creates, configures, binds and connects a socket, then hands it to its own thread.
    ///
    /// - Parameters:
    ///   - subscribe: SUB-socket prefix filters (topic frames starting with one of them pass).
    ///   - sendCapacity: messages that may wait for the thread before `send` suspends.
    ///   - receiveCapacity: messages read ahead of the consumer before the thread stops reading.
    public init(
        type: SocketType,
        options: SocketOptions = SocketOptions(),
        bind: [String] = [],
        connect: [String] = [],
        subscribe: [String] = [],
        context: BusContext = .shared,
        sendCapacity: Int = 4_096,
        receiveCapacity: Int = 4_096,
        capturesIdentity: Bool = false
    ) throws(BusError) {
        let socket = try ZMQSocket(context: context, type: type)
        do {
            try options.apply(to: socket)
            for prefix in subscribe { try socket.subscribe(Array(prefix.utf8)) }
            var bound: [String] = []
            for endpoint in bind {
                try socket.bind(endpoint)
                bound.append(socket.lastEndpoint)
            }
            for endpoint in connect { try socket.connect(endpoint) }
            self.boundEndpoints = bound
        } catch {
            socket.close()
            throw error
        }
        self.type = type
        self.loop = SocketLoop(
            socket: socket, sendCapacity: max(1, sendCapacity), receiveCapacity: max(1, receiveCapacity),
            capturesIdentity: capturesIdentity, name: "zmq-\(type)")
        self.capturesIdentity = capturesIdentity
    }

    deinit { loop.stop() }

    /// Queues one multipart message; suspends only while the send queue is full.
    public func send(_ frames: [[UInt8]]) async throws {
        precondition(!frames.isEmpty, "a ZeroMQ message has at least one frame")
        try await loop.send(frames)
    }

    /// The next multipart message; `nil` once the socket is closed.
    public func receive() async throws -> [[UInt8]]? {
        try await loop.receive()
    }

    /// The next message with the ZAP user id (the key's identity) of the connection it came
    /// on; `nil` identity without CURVE and ZAP. Needs `capturesIdentity` at creation.
    public func receiveIdentified() async throws -> (identity: String?, frames: [[UInt8]])? {
        precondition(capturesIdentity, "receiveIdentified() needs a socket made with capturesIdentity")
        guard let message = try await loop.receive(), let first = message.first else { return nil }
        return (first.isEmpty ? nil : String(decoding: first, as: UTF8.self), Array(message.dropFirst()))
    }

    /// The next message and up to `max - 1` more that are already waiting (one await for a
    /// burst, so a consumer can handle it in one transaction); `nil` once closed.
    public func receiveBatch(max: Int) async throws -> [[[UInt8]]]? {
        guard let first = try await loop.receive() else { return nil }
        return [first] + loop.receiveAvailable(max: Swift.max(0, max - 1))
    }

    /// Adds a SUB prefix filter.
    public func subscribe(_ prefix: String) async throws {
        try await loop.enqueue(.subscribe(Array(prefix.utf8)))
    }

    /// Removes a SUB prefix filter.
    public func unsubscribe(_ prefix: String) async throws {
        try await loop.enqueue(.unsubscribe(Array(prefix.utf8)))
    }

    /// Returns once every message queued before this call was handed to libzmq.
    public func flush() async throws {
        try await loop.flush()
    }

    /// Messages libzmq refused to take (other than a full queue), since the socket opened.
    public var sendErrors: Int { loop.state.withLock { $0.sendErrors } }

    /// Closes the socket and waits for its thread to end. Messages already handed to
    /// libzmq are still sent for up to the LINGER period.
    public func close() async {
        loop.stop()
        await loop.waitUntilFinished()
    }

    /// The received messages as an async sequence (one consumer at a time).
    public var messages: Messages { Messages(socket: self) }

    /// An `AsyncSequence` of multipart messages that ends when the socket closes.
    public struct Messages: AsyncSequence, Sendable {
        public typealias Element = [[UInt8]]
        let socket: BusSocket

        public struct AsyncIterator: AsyncIteratorProtocol {
            let socket: BusSocket
            public mutating func next() async throws -> [[UInt8]]? { try await socket.receive() }
        }

        public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(socket: socket) }
    }
}
