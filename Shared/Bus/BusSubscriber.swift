import Synchronization

/// Receives bus messages from the broker's XPUB endpoint (or straight from a publisher).
public final class BusSubscriber: Sendable {
    let socket: BusSocket

    /// What arrives: a well-framed message, or a report of one that broke the framing.
    public enum Delivery: Sendable, Equatable {
        case message(BusMessage)
        case malformed(reason: String, frames: Int, bytes: Int)
    }

    /// Connects and subscribes to `prefixes` (`""` is everything).
    public init(
        connect: [String], prefixes: [String], options: SocketOptions = SocketOptions(),
        context: BusContext = .shared, bind: [String] = []
    ) throws(BusError) {
        socket = try BusSocket(
            type: .sub, options: options, bind: bind, connect: connect, subscribe: prefixes, context: context)
    }

    /// The endpoints bound, wildcard ports resolved.
    public var boundEndpoints: [String] { socket.boundEndpoints }

    /// The next delivery, or `nil` once closed.
    public func next() async throws -> Delivery? {
        guard let frames = try await socket.receive() else { return nil }
        return Self.delivery(frames)
    }

    /// The next delivery and up to `max - 1` more already waiting; `nil` once closed.
    public func nextBatch(max: Int) async throws -> [Delivery]? {
        guard let batch = try await socket.receiveBatch(max: max) else { return nil }
        return batch.map(Self.delivery)
    }

    static func delivery(_ frames: [[UInt8]]) -> Delivery {
        do {
            return .message(try BusMessage(frames: frames))
        } catch {
            let reason: String
            if case .malformed(let text) = error { reason = text } else { reason = error.description }
            return .malformed(reason: reason, frames: frames.count, bytes: frames.reduce(0) { $0 + $1.count })
        }
    }

    /// Adds a prefix filter.
    public func subscribe(_ prefix: String) async throws { try await socket.subscribe(prefix) }

    /// Closes the socket.
    public func close() async { await socket.close() }
}
