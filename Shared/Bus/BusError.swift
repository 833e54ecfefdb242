import CZeroMQ

/// Everything that can go wrong in the Bus module.
///
/// libzmq reports failures through `errno`; ``BusError/zmq(operation:errno:message:)``
/// carries the operation that failed, the number and libzmq's own text, so that a log
/// line says what to fix ("bind tcp://127.0.0.1:7100: Address already in use").
public enum BusError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A libzmq call failed.
    case zmq(operation: String, errno: Int32, message: String)
    /// The socket was closed (by `close()` or because the process is shutting down).
    case closed
    /// A message did not have the shape the Bus expects (for example not two frames).
    case malformed(reason: String)
    /// A CURVE key was not a 40-character Z85 string.
    case invalidKey(reason: String)
    /// A wait had a deadline and it passed.
    case timedOut(what: String)

    /// Builds a ``BusError/zmq(operation:errno:message:)`` from the current `errno`.
    static func last(_ operation: String) -> BusError {
        let code = zmq_errno()
        return .zmq(operation: operation, errno: code, message: String(cString: zmq_strerror(code)))
    }

    public var description: String {
        switch self {
        case .zmq(let operation, let errno, let message):
            return "\(operation): \(message) (errno \(errno))"
        case .closed:
            return "socket closed"
        case .malformed(let reason):
            return "malformed message: \(reason)"
        case .invalidKey(let reason):
            return "invalid CURVE key: \(reason)"
        case .timedOut(let what):
            return "timed out waiting for \(what)"
        }
    }
}
