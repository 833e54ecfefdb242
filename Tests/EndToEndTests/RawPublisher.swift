import CZeroMQ
import Foundation

/// A publisher written with plain libzmq calls, as a program in another language would:
/// no Bus, no Messages. It uses an XPUB socket so that it can see the subscription
/// arrive before it sends (ZeroMQ's slow-joiner rule).
final class RawPublisher: @unchecked Sendable {
    private let context: UnsafeMutableRawPointer
    private let socket: UnsafeMutableRawPointer

    /// - Parameter identity: with security on, the key it connects with (CURVE options set
    ///   by hand too, as another language's binding would).
    init(connect endpoint: String, identity: String = "e2e") {
        context = zmq_ctx_new()
        socket = zmq_socket(context, ZMQ_XPUB)
        if TestSecurity.isOn {
            let folder = TestSecurity.keys.directory
            func key(_ name: String) -> [UInt8] {
                Array(((try? String(contentsOfFile: "\(folder)/\(name)", encoding: .utf8)) ?? "").prefix(40).utf8)
            }
            for (option, value) in [
                (ZMQ_CURVE_SERVERKEY, key("bus-broker.public")), (ZMQ_CURVE_PUBLICKEY, key("\(identity).public")),
                (ZMQ_CURVE_SECRETKEY, key("\(identity).secret")),
            ] {
                _ = value.withUnsafeBytes { zmq_setsockopt(socket, option, $0.baseAddress, $0.count) }
            }
        }
        var linger: Int32 = 1_000
        zmq_setsockopt(socket, ZMQ_LINGER, &linger, 4)
        var timeout: Int32 = 10_000
        zmq_setsockopt(socket, ZMQ_RCVTIMEO, &timeout, 4)
        zmq_connect(socket, endpoint)
    }

    /// Blocks (on a thread of its own) until a subscription arrives; false on time-out.
    func waitForSubscription() async -> Bool {
        await onThread {
            var buffer = [UInt8](repeating: 0, count: 256)
            return zmq_recv(self.socket, &buffer, buffer.count, 0) > 0 && buffer[0] == 1
        }
    }

    /// Sends the frames as one multipart message.
    func send(_ frames: [[UInt8]]) async -> Bool {
        await onThread {
            for (index, frame) in frames.enumerated() {
                let flags = index == frames.count - 1 ? 0 : ZMQ_SNDMORE
                let sent = frame.withUnsafeBytes { zmq_send(self.socket, $0.baseAddress, $0.count, flags) }
                if sent < 0 { return false }
            }
            return true
        }
    }

    func close() async {
        await onThread {
            zmq_close(self.socket)
            zmq_ctx_term(self.context)
        }
    }
}

/// Runs blocking work on a new thread, not on Swift's cooperative pool.
func onThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: work()) }.start()
    }
}
