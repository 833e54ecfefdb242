import CZeroMQ
import Foundation
import Synchronization

/// One CURVE handshake, as libzmq's ZAP request describes it (ZeroMQ RFC 27).
public struct ZAPRequest: Sendable, Equatable {
    /// The ZAP domain of the server socket (each CURVE server of a process has its own).
    public var domain: String
    /// The peer's IP address.
    public var address: String
    /// The client's CURVE public key, in Z85.
    public var publicKey: String
}

/// What a ZAP authorizer says of one handshake.
public enum ZAPDecision: Sendable, Equatable {
    /// Accept; `identity` becomes the connection's `User-Id`, carried by each message.
    case allow(identity: String)
    /// Refuse, with the reason logged by the caller and sent as the ZAP status text.
    case deny(reason: String)
}

/// Decides ZAP requests for the CURVE server sockets of one domain.
public typealias ZAPAuthorizer = @Sendable (ZAPRequest) -> ZAPDecision

/// The ZAP handler of one libzmq context: a REP socket on `inproc://zeromq.zap.01`, on a
/// thread of its own, that answers every CURVE handshake of the context's server sockets.
///
/// Without a handler a CURVE server accepts any client key, so Passerelle's CURVE servers
/// also set `ZMQ_ZAP_ENFORCE_DOMAIN`: if this handler is missing, handshakes fail. The
/// handler fails closed too: a domain with no authorizer, a malformed request or anything
/// but a CURVE mechanism gets status 400. Authorizers are registered per ZAP domain, so a
/// broker and a replay endpoint in one process each apply their own rules.
public final class ZAPHandler: Sendable {
    private let authorizers = Mutex<[String: ZAPAuthorizer]>([:])
    private let wake = WakeUpSignal()
    private let stopping = Atomic<Bool>(false)
    /// Handshakes answered, for tests and metrics.
    public let accepted = Atomic<Int>(0)
    public let refused = Atomic<Int>(0)

    private static let handlers = Mutex<[ObjectIdentifier: ZAPHandler]>([:])

    /// The handler of `context`, started on first use (one per context: libzmq allows one
    /// socket bound to the ZAP endpoint).
    public static func shared(for context: BusContext = .shared) throws(BusError) -> ZAPHandler {
        let result: Result<ZAPHandler, BusError> = handlers.withLock { handlers in
            if let handler = handlers[ObjectIdentifier(context)] { return .success(handler) }
            do throws(BusError) {
                let handler = try ZAPHandler(context: context)
                handlers[ObjectIdentifier(context)] = handler
                return .success(handler)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    private init(context: BusContext) throws(BusError) {
        let socket = try ZMQSocket(context: context, type: .rep)
        try socket.set(ZMQ_LINGER, Int32(0))
        try socket.bind("inproc://zeromq.zap.01")
        // Handed over to the thread, which alone uses it from now on (as libzmq allows).
        nonisolated(unsafe) let owned = socket
        let thread = Thread { [self] in
            serve(owned)
            owned.close()
        }
        thread.name = "zap-handler"
        thread.start()
    }

    /// Routes the handshakes of server sockets whose ZAP domain is `domain` to `authorizer`.
    public func register(domain: String, _ authorizer: @escaping ZAPAuthorizer) {
        authorizers.withLock { $0[domain] = authorizer }
    }

    /// Stops answering for `domain`: its handshakes are refused from now on.
    public func unregister(domain: String) {
        _ = authorizers.withLock { $0.removeValue(forKey: domain) }
    }

    private func serve(_ socket: ZMQSocket) {
        while !stopping.load(ordering: .relaxed) {
            var items = [
                zmq_pollitem_t(socket: socket.handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0),
                zmq_pollitem_t(socket: nil, fd: wake.descriptor, events: Int16(ZMQ_POLLIN), revents: 0),
            ]
            if zmq_poll(&items, 2, -1) < 0 {
                if zmq_errno() == EINTR { continue }
                return
            }
            if items[1].revents != 0 { wake.drain() }
            guard items[0].revents != 0 else { continue }
            guard let frames = try? socket.receive(dontWait: true) else { continue }
            let reply = answer(frames)
            _ = try? socket.send(reply, dontWait: false)
        }
    }

    /// The reply frames for one request: version, request id, status, text, user id, metadata.
    func answer(_ frames: [[UInt8]]) -> [[UInt8]] {
        func reply(_ requestID: [UInt8], _ status: String, _ text: String, _ user: String) -> [[UInt8]] {
            [Array("1.0".utf8), requestID, Array(status.utf8), Array(text.utf8), Array(user.utf8), []]
        }
        // version, request id, domain, address, routing id, mechanism, credentials...
        guard frames.count >= 6, frames[0] == Array("1.0".utf8) else {
            refused.add(1, ordering: .relaxed)
            return reply(frames.count > 1 ? frames[1] : [], "400", "malformed ZAP request", "")
        }
        let requestID = frames[1]
        let domain = String(decoding: frames[2], as: UTF8.self)
        let mechanism = String(decoding: frames[5], as: UTF8.self)
        guard mechanism == "CURVE", frames.count == 7, frames[6].count == 32 else {
            refused.add(1, ordering: .relaxed)
            return reply(requestID, "400", "only CURVE is accepted", "")
        }
        guard let authorizer = authorizers.withLock({ $0[domain] }) else {
            refused.add(1, ordering: .relaxed)
            return reply(requestID, "400", "no authorizer for domain \(domain)", "")
        }
        let request = ZAPRequest(
            domain: domain, address: String(decoding: frames[3], as: UTF8.self),
            publicKey: Z85.encode(frames[6]))
        switch authorizer(request) {
        case .allow(let identity) where !identity.isEmpty:
            accepted.add(1, ordering: .relaxed)
            return reply(requestID, "200", "OK", identity)
        case .allow:
            refused.add(1, ordering: .relaxed)
            return reply(requestID, "400", "empty identity", "")
        case .deny(let reason):
            refused.add(1, ordering: .relaxed)
            return reply(requestID, "400", reason, "")
        }
    }
}

/// ZeroMQ's Z85 text encoding of binary keys (RFC 32), through libzmq.
public enum Z85 {
    /// Z85 text of `bytes` (a multiple of 4 bytes long, as a 32-byte key is).
    public static func encode(_ bytes: [UInt8]) -> String {
        var text = [CChar](repeating: 0, count: bytes.count * 5 / 4 + 1)
        let ok = bytes.withUnsafeBufferPointer { zmq_z85_encode(&text, $0.baseAddress, $0.count) != nil }
        guard ok else { return "" }
        return String(decoding: text.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
