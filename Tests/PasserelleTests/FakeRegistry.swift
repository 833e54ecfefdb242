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
        var authorization: String? = nil
    }

    private struct State {
        var received: [Received] = []
        var keys: Set<String> = []
        var failuresLeft = 0
        /// Answers this many requests, then dies: connections closed, nothing listening.
        var answersLeft = Int.max
        /// The key `Authorization: Bearer` must carry, when the registry needs one.
        var apiKey: String?
    }

    private let state = NIOLockedValueBox(State())
    private let channel: any Channel
    let url: String

    /// Starts listening; `failFirst` requests are answered 503 before the registry behaves;
    /// after `dieAfter` answers it stops, as a killed registry would; with `apiKey`, a request
    /// without `Authorization: Bearer <apiKey>` gets 401.
    init(failFirst: Int = 0, dieAfter: Int = .max, apiKey: String? = nil) async throws {
        state.withLockedValue {
            $0.failuresLeft = failFirst
            $0.answersLeft = dieAfter
            $0.apiKey = apiKey
        }
        let box = state
        let listener = NIOLockedValueBox<(any Channel)?>(nil)
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(Handler(state: box, listener: listener))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        listener.withLockedValue { $0 = server }
        channel = server
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
        private let listener: NIOLockedValueBox<(any Channel)?>
        private var head: HTTPRequestHead?
        private var body: [UInt8] = []

        init(state: NIOLockedValueBox<State>, listener: NIOLockedValueBox<(any Channel)?>) {
            self.state = state
            self.listener = listener
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
                let dead = state.withLockedValue { state in
                    if state.answersLeft <= 0 { return true }
                    state.answersLeft -= 1
                    return false
                }
                if dead {
                    // Killed: no answer, the connection and the listener closed.
                    listener.withLockedValue { $0 }?.close(promise: nil)
                    context.close(promise: nil)
                    return
                }
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

        /// 401 without the key it needs; 503 while failures are due; 422 for a title "refusé" or an offer without
        /// occupation; 200 for a key already seen; 201 otherwise.
        private func respond(head: HTTPRequestHead, body: [UInt8]) -> (HTTPResponseStatus, String) {
            let key = head.headers.first(name: "Idempotency-Key")
            let authorization = head.headers.first(name: "Authorization")
            let json = try? CanonicalJSON.decode(JSONValue.self, from: body)
            return state.withLockedValue { state in
                state.received.append(
                    Received(path: head.uri, idempotencyKey: key, body: json, authorization: authorization))
                if let apiKey = state.apiKey, authorization != "Bearer \(apiKey)" {
                    return (.unauthorized, #"{"error":{"code":"unauthorized","message":"clé requise / key required"}}"#)
                }
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
