import CZeroMQ

/// A libzmq context: the I/O threads every socket of a process shares.
///
/// One per process is the rule (``BusContext/shared``); `inproc://` endpoints only connect
/// sockets of the same context. The context itself is thread-safe, unlike its sockets.
public final class BusContext: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer

    /// The process-wide context.
    public static let shared = BusContext()

    /// Creates a context with libzmq's defaults (one I/O thread).
    public init(ioThreads: Int32 = 1) {
        guard let handle = zmq_ctx_new() else {
            fatalError("zmq_ctx_new failed: \(BusError.last("zmq_ctx_new"))")
        }
        zmq_ctx_set(handle, ZMQ_IO_THREADS, ioThreads)
        self.handle = handle
    }

    /// Shuts the context down; blocks until every socket is closed and its LINGER spent.
    ///
    /// Call it from a plain thread (not Swift's cooperative pool) at the very end of a process.
    public func terminate() {
        while zmq_ctx_term(handle) != 0 && zmq_errno() == EINTR {}
    }

    /// Whether this libzmq was built with a capability such as `"curve"`.
    public static func has(_ capability: String) -> Bool {
        zmq_has(capability) != 0
    }

    /// The libzmq version, for logs and `/health`.
    public static var libraryVersion: String {
        var major: Int32 = 0
        var minor: Int32 = 0
        var patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        return "\(major).\(minor).\(patch)"
    }
}
