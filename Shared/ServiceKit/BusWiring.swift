import Bus
import Logging
import ServiceLifecycle

extension ServiceSettings {
    /// Socket options for this process's bus links.
    public var socketOptions: SocketOptions {
        var options = SocketOptions()
        if let highWaterMark {
            options.sendHighWaterMark = highWaterMark
            options.receiveHighWaterMark = highWaterMark
        }
        return options
    }

    /// Options to connect to the broker: CURVE with this process's key when security is on.
    public func brokerClientOptions() throws -> SocketOptions {
        guard let security else { return socketOptions }
        return try security.clientOptions(socketOptions, server: KeysDirectory.brokerIdentity)
    }

    /// A publisher connected to the broker's XSUB endpoint (`bus.publish`).
    public func makePublisher() throws -> BusPublisher {
        try BusPublisher(connect: [busPublish], options: brokerClientOptions())
    }

    /// A subscriber connected to the broker's XPUB endpoint (`bus.subscribe`).
    public func makeSubscriber(prefixes: [String]) throws -> BusSubscriber {
        try BusSubscriber(connect: [busSubscribe], prefixes: prefixes, options: brokerClientOptions())
    }
}

/// A `Service` that hands every well-framed bus message to `handle`, logs and counts the
/// rest, and stops at graceful shutdown. A handler that throws is logged; the loop goes on.
public struct BusConsumer: Service {
    let subscriber: BusSubscriber
    let logger: Logger
    let handle: @Sendable (BusMessage) async throws -> Void

    public init(
        subscriber: BusSubscriber, logger: Logger, handle: @escaping @Sendable (BusMessage) async throws -> Void
    ) {
        self.subscriber = subscriber
        self.logger = logger
        self.handle = handle
    }

    public func run() async throws {
        defer { Task { [subscriber] in await subscriber.close() } }
        do {
            try await consume()
        } catch is CancellationError where Task.isShuttingDownGracefully || Task.isCancelled {
            // Graceful shutdown cancels the wait for the next message: a normal end.
        }
    }

    private func consume() async throws {
        try await cancelWhenGracefulShutdown {
            while let delivery = try await subscriber.next() {
                switch delivery {
                case .message(let message):
                    do {
                        try await handle(message)
                    } catch {
                        logger.error("handler failed", metadata: ["topic": "\(message.topic)", "error": "\(error)"])
                    }
                case .malformed(let reason, let frames, let bytes):
                    logger.warning(
                        "skipped a malformed message",
                        metadata: ["reason": "\(reason)", "frames": "\(frames)", "bytes": "\(bytes)"])
                }
            }
        }
    }
}
