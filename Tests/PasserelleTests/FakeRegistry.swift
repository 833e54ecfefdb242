import Foundation
import Messages
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// A registry stand-in on a real socket (127.0.0.1, a port the system picks): it answers
/// like the offer and candidate registries do, and records what it was sent.
final class FakeRegistry: Sendable {
    struct Received: Sendable, Hashable {
        let path: String
        let idempotencyKey: String?
        let body: JSONValue?
    }

    private struct State {
        var received: [Received] = []
        var keys: Set<String> = []
        var failuresLeft = 0
    }

    private let state = NIOLockedValueBox(State())
    private let channel: any Channel
    let url: String

    /// Starts listening; `failFirst` requests are answered 503 before the registry behaves.
    init(failFirst: Int = 0) async throws {
        state.withLockedValue { $0.failuresLeft = failFirst }
        let box = state
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(Handler(state: box))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        url = "http://127.0.0.1:\(channel.localAddress?.port ?? 0)"
    }

    var received: [Received] { state.withLockedValue { $0.received } }
    /// Records created (first time a key is seen).
    var createdCount: Int { state.withLockedValue { $0.keys.count } }

    func stop() async throws { try await channel.close() }

    /// A URL where nothing listens: a port that was bound, then closed.
    static func closedURL() async throws -> String {
        let registry = try await FakeRegistry()
        try await registry.stop()
        return registry.url
    }

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        private let state: NIOLockedValueBox<State>
        private var head: HTTPRequestHead?
        private var body: [UInt8] = []

        init(state: NIOLockedValueBox<State>) {
            self.state = state
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                body = []
            case .body(var buffer):
                body += buffer.readBytes(length: buffer.readableBytes) ?? []
            case .end:
                guard let head else { return }
                let (status, answer) = respond(head: head, body: body)
                var headers = HTTPHeaders()
                headers.add(name: "Content-Type", value: "application/json")
                headers.add(name: "Content-Length", value: String(answer.utf8.count))
                context.write(
                    wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))),
                    promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: answer)))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }

        /// 503 while failures are due; 422 for a title "refusé" or an offer without
        /// occupation; 200 for a key already seen; 201 otherwise.
        private func respond(head: HTTPRequestHead, body: [UInt8]) -> (HTTPResponseStatus, String) {
            let key = head.headers.first(name: "Idempotency-Key")
            let json = try? CanonicalJSON.decode(JSONValue.self, from: body)
            return state.withLockedValue { state in
                state.received.append(Received(path: head.uri, idempotencyKey: key, body: json))
                if state.failuresLeft > 0 {
                    state.failuresLeft -= 1
                    return (.serviceUnavailable, #"{"error":{"code":"busy","message":"try later"}}"#)
                }
                if json?["title"] == .string("refusé") {
                    return (
                        .unprocessableEntity,
                        #"{"error":{"code":"invalid-field","message":"titre refusé","field":"title"}}"#
                    )
                }
                if head.uri == "/offers", json?["occupation"] == nil {
                    return (.unprocessableEntity, #"{"error":{"code":"missing-field","message":"occupation?"}}"#)
                }
                if let key, !state.keys.insert(key).inserted { return (.ok, "{}") }
                return (.created, "{}")
            }
        }
    }
}
