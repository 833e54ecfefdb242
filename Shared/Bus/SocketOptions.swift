import CZeroMQ

/// Options applied to a socket before it binds or connects.
///
/// The defaults suit Passerelle's bus: high-water marks large enough for bursts of events,
/// a short LINGER so that nothing hangs at exit, and ZMTP heartbeats so that a dead peer
/// (a broker on another server, say) is noticed within seconds rather than at the next
/// TCP time-out.
public struct SocketOptions: Sendable, Equatable {
    /// Messages queued per peer for sending before the socket drops (PUB) or blocks; 0 is no limit.
    public var sendHighWaterMark: Int32 = 100_000
    /// Messages queued per peer on receipt; 0 is no limit.
    public var receiveHighWaterMark: Int32 = 100_000
    /// How long unsent messages are kept once the socket is closed, in milliseconds.
    public var lingerMilliseconds: Int32 = 500
    /// ZMTP heartbeat interval in milliseconds (0 disables); peers that stop answering are dropped.
    public var heartbeatIntervalMilliseconds: Int32 = 2_000
    /// How long to wait for a heartbeat reply before the connection is considered dead.
    public var heartbeatTimeoutMilliseconds: Int32 = 6_000
    /// Largest inbound message in bytes; a peer that sends more is disconnected by libzmq (-1: no limit).
    public var maxMessageSize: Int64 = -1
    /// For PUB and XPUB: block (or answer EAGAIN) at the high-water mark instead of dropping.
    public var noDrop: Bool = false
    /// Reconnect interval in milliseconds after a connection is lost.
    public var reconnectIntervalMilliseconds: Int32 = 100
    /// Upper bound for the exponential reconnect back-off.
    public var reconnectIntervalMaxMilliseconds: Int32 = 2_000
    /// ROUTER/DEALER identity (routing id) of this socket.
    public var routingID: [UInt8]? = nil
    /// For ROUTER: fail instead of silently dropping a message to an unknown peer.
    public var routerMandatory: Bool = false
    /// CURVE encryption and authentication (see ``CurveRole``); `nil` is plain text.
    public var curve: CurveRole? = nil
    /// ZAP domain for a CURVE server; the ZAP handler sees it with each handshake.
    public var zapDomain: String? = nil
    /// For XPUB: subscriptions are not applied by libzmq but handed to the application,
    /// which grants them (or not) with `ZMQ_SUBSCRIBE` on the socket (the broker's ACL).
    public var xpubManual: Bool = false

    public init() {}

    /// Options tuned for tests and benchmarks: no limits on queues.
    public static var unbounded: SocketOptions {
        var options = SocketOptions()
        options.sendHighWaterMark = 0
        options.receiveHighWaterMark = 0
        return options
    }

    func apply(to socket: ZMQSocket) throws(BusError) {
        try socket.set(ZMQ_SNDHWM, sendHighWaterMark)
        try socket.set(ZMQ_RCVHWM, receiveHighWaterMark)
        try socket.set(ZMQ_LINGER, lingerMilliseconds)
        try socket.set(ZMQ_RECONNECT_IVL, reconnectIntervalMilliseconds)
        try socket.set(ZMQ_RECONNECT_IVL_MAX, reconnectIntervalMaxMilliseconds)
        if heartbeatIntervalMilliseconds > 0 {
            try socket.set(ZMQ_HEARTBEAT_IVL, heartbeatIntervalMilliseconds)
            try socket.set(ZMQ_HEARTBEAT_TIMEOUT, heartbeatTimeoutMilliseconds)
            try socket.set(ZMQ_HEARTBEAT_TTL, heartbeatTimeoutMilliseconds)
        }
        if maxMessageSize >= 0 {
            try socket.set(ZMQ_MAXMSGSIZE, maxMessageSize)
        }
        if noDrop, socket.type == .pub || socket.type == .xpub {
            try socket.set(ZMQ_XPUB_NODROP, Int32(1))
        }
        if let routingID {
            try socket.set(ZMQ_ROUTING_ID, bytes: routingID)
        }
        if routerMandatory, socket.type == .router {
            try socket.set(ZMQ_ROUTER_MANDATORY, Int32(1))
        }
        if let zapDomain {
            try socket.set(ZMQ_ZAP_DOMAIN, bytes: Array(zapDomain.utf8))
        }
        if xpubManual, socket.type == .xpub {
            try socket.set(ZMQ_XPUB_MANUAL, Int32(1))
        }
        if case .server = curve {
            // Fail closed: with no ZAP handler answering, libzmq would accept any client key.
            // ZMQ_ZAP_ENFORCE_DOMAIN (93) is a draft option: a libzmq built without drafts
            // refuses it, and there the handler, started before any server binds, must answer.
            _ = try? socket.set(93, Int32(1))
        }
        try curve?.apply(to: socket)
    }
}
