import CZeroMQ

#if canImport(Glibc)
    import Glibc
#endif

/// A raw libzmq socket. Not thread-safe, exactly like libzmq's own sockets: it is created
/// and configured by one thread and then handed to the single thread that uses it
/// (``SocketLoop``, or the broker's forwarding thread).
final class ZMQSocket {
    let handle: UnsafeMutableRawPointer
    let type: SocketType
    private var isClosed = false

    init(context: BusContext, type: SocketType) throws(BusError) {
        guard let handle = zmq_socket(context.handle, type.rawValue) else {
            throw BusError.last("zmq_socket(\(type))")
        }
        self.handle = handle
        self.type = type
    }

    deinit { close() }

    func close() {
        guard !isClosed else { return }
        isClosed = true
        zmq_close(handle)
    }

    func set(_ option: Int32, _ value: Int32) throws(BusError) {
        var value = value
        guard zmq_setsockopt(handle, option, &value, MemoryLayout<Int32>.size) == 0 else {
            throw BusError.last("zmq_setsockopt(\(option))")
        }
    }

    func set(_ option: Int32, _ value: Int64) throws(BusError) {
        var value = value
        guard zmq_setsockopt(handle, option, &value, MemoryLayout<Int64>.size) == 0 else {
            throw BusError.last("zmq_setsockopt(\(option))")
        }
    }

    func set(_ option: Int32, bytes: [UInt8]) throws(BusError) {
        let status = bytes.withUnsafeBytes { zmq_setsockopt(handle, option, $0.baseAddress, $0.count) }
        guard status == 0 else { throw BusError.last("zmq_setsockopt(\(option))") }
    }

    func bind(_ endpoint: String) throws(BusError) {
        guard zmq_bind(handle, endpoint) == 0 else { throw BusError.last("bind \(endpoint)") }
    }

    func connect(_ endpoint: String) throws(BusError) {
        guard zmq_connect(handle, endpoint) == 0 else { throw BusError.last("connect \(endpoint)") }
    }

    /// The endpoint of the last bind, with a wildcard port (`tcp://127.0.0.1:*`) resolved.
    var lastEndpoint: String {
        var buffer = [CChar](repeating: 0, count: 1024)
        var size = buffer.count
        guard zmq_getsockopt(handle, ZMQ_LAST_ENDPOINT, &buffer, &size) == 0 else { return "" }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Sends every frame as one multipart message. Returns `false` when `dontWait` is set and
    /// the message cannot be queued now (EAGAIN); libzmq then has taken none of it.
    func send(_ frames: [[UInt8]], dontWait: Bool) throws(BusError) -> Bool {
        precondition(!frames.isEmpty, "a ZeroMQ message has at least one frame")
        let base: Int32 = dontWait ? ZMQ_DONTWAIT : 0
        for (index, frame) in frames.enumerated() {
            let flags = index == frames.count - 1 ? base : base | ZMQ_SNDMORE
            let sent = frame.withUnsafeBytes { zmq_send(handle, $0.baseAddress, $0.count, flags) }
            if sent < 0 {
                let code = zmq_errno()
                // Only the first frame can meet a full queue: libzmq accepts a message whole.
                if code == EAGAIN && index == 0 { return false }
                if code == EINTR && index == 0 { return try send(frames, dontWait: dontWait) }
                throw BusError.last("zmq_send")
            }
        }
        return true
    }

    /// Receives one whole multipart message, of any size. Returns `nil` when `dontWait` is
    /// set and nothing is waiting.
    func receive(dontWait: Bool) throws(BusError) -> [[UInt8]]? {
        var ignored: String?
        return try receive(dontWait: dontWait, identity: &ignored, wantIdentity: false)
    }

    /// Receives one whole multipart message and, with `wantIdentity`, the ZAP user id of the
    /// connection it came on (libzmq's `User-Id` property; `nil` without CURVE and ZAP).
    func receive(dontWait: Bool, identity: inout String?, wantIdentity: Bool) throws(BusError) -> [[UInt8]]? {
        var frames: [[UInt8]] = []
        var message = zmq_msg_t()
        zmq_msg_init(&message)
        defer { zmq_msg_close(&message) }
        while true {
            let flags: Int32 = (dontWait && frames.isEmpty) ? ZMQ_DONTWAIT : 0
            if zmq_msg_recv(&message, handle, flags) < 0 {
                let code = zmq_errno()
                if code == EAGAIN && frames.isEmpty { return nil }
                if code == EINTR { continue }
                throw BusError.last("zmq_msg_recv")
            }
            // A ROUTER's first frame (the peer's routing id) is made locally and carries no
            // properties: take the identity from the first frame that came over the wire.
            if wantIdentity, identity == nil { identity = Self.userID(&message) }
            let size = zmq_msg_size(&message)
            if size == 0 {
                frames.append([])
            } else {
                let data = UnsafeRawBufferPointer(start: zmq_msg_data(&message), count: size)
                frames.append(Array(data))
            }
            if zmq_msg_more(&message) == 0 { return frames }
        }
    }

    /// The ZAP user id a received message's connection was authenticated as, if any.
    static func userID(_ message: inout zmq_msg_t) -> String? {
        guard let value = zmq_msg_gets(&message, "User-Id") else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }

    func subscribe(_ prefix: [UInt8]) throws(BusError) { try set(ZMQ_SUBSCRIBE, bytes: prefix) }
    func unsubscribe(_ prefix: [UInt8]) throws(BusError) { try set(ZMQ_UNSUBSCRIBE, bytes: prefix) }
}

/// A non-blocking eventfd that wakes a thread sleeping in `zmq_poll`.
final class WakeUpSignal: @unchecked Sendable {
    let descriptor: Int32

    init() {
        descriptor = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        precondition(descriptor >= 0, "eventfd failed")
    }

    deinit { _ = Glibc.close(descriptor) }

    func signal() {
        var one: UInt64 = 1
        _ = withUnsafeBytes(of: &one) { write(descriptor, $0.baseAddress, 8) }
    }

    func drain() {
        var value: UInt64 = 0
        _ = withUnsafeMutableBytes(of: &value) { read(descriptor, $0.baseAddress, 8) }
    }
}
