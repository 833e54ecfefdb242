import CZeroMQ
import Logging
import Synchronization

/// The broker thread's loop; owns both sockets once started.
final class Forwarder: @unchecked Sendable {
    let frontend: ZMQSocket
    let backend: ZMQSocket
    let maxMessageBytes: Int
    let counters: BrokerCounters
    let logger: Logger
    /// The access rules of an authenticated bus; `nil` forwards everything (no keys).
    let policy: (any BrokerPolicy)?
    /// Parts of the message being received, reused so the hot path allocates nothing.
    private var parts: [zmq_msg_t] = []

    init(
        frontend: ZMQSocket, backend: ZMQSocket, maxMessageBytes: Int, counters: BrokerCounters,
        policy: (any BrokerPolicy)?, logger: Logger
    ) {
        self.frontend = frontend
        self.backend = backend
        self.maxMessageBytes = maxMessageBytes
        self.counters = counters
        self.policy = policy
        self.logger = logger
    }

    func run(wake: WakeUpSignal, stopping: borrowing Atomic<Bool>) {
        while !stopping.load(ordering: .sequentiallyConsistent) {
            var items = [
                zmq_pollitem_t(socket: frontend.handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0),
                zmq_pollitem_t(socket: backend.handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0),
                zmq_pollitem_t(socket: nil, fd: wake.descriptor, events: Int16(ZMQ_POLLIN), revents: 0),
            ]
            if zmq_poll(&items, 3, -1) < 0 {
                if zmq_errno() == EINTR { continue }
                logger.critical("zmq_poll failed", metadata: ["error": "\(BusError.last("zmq_poll"))"])
                return
            }
            if items[2].revents != 0 { wake.drain() }
            // Bounded batches keep one busy direction from starving the other.
            if items[0].revents != 0 {
                for _ in 0..<1_000 where forwardPublication() {}
            }
            if items[1].revents != 0 {
                for _ in 0..<1_000 where forwardSubscription() {}
            }
        }
    }

    /// Moves one published message from XSUB to XPUB; false when none was waiting.
    private func forwardPublication() -> Bool {
        guard receiveParts(from: frontend) else { return false }
        defer { closeParts() }
        var size = 0
        for index in parts.indices { size += zmq_msg_size(&parts[index]) }
        if size > maxMessageBytes {
            counters.droppedOversize.add(1, ordering: .relaxed)
            logger.warning(
                "dropped a message over the size limit",
                metadata: ["bytes": "\(size)", "limit": "\(maxMessageBytes)"])
            return true
        }
        if let problem = framingProblem() {
            counters.droppedMalformed.add(1, ordering: .relaxed)
            logger.warning(
                "dropped a malformed message", metadata: ["reason": "\(problem)", "frames": "\(parts.count)"])
            return true
        }
        if let policy {
            // The connection's ZAP identity travels with each message; the envelope is read in place.
            let identity = ZMQSocket.userID(&parts[0])
            let topic = UnsafeRawBufferPointer(start: zmq_msg_data(&parts[0]), count: zmq_msg_size(&parts[0]))
            let envelope = UnsafeRawBufferPointer(start: zmq_msg_data(&parts[1]), count: zmq_msg_size(&parts[1]))
            if policy.refusal(identity: identity, topic: topic, envelope: envelope) != nil {
                counters.droppedRefused.add(1, ordering: .relaxed)
                return true
            }
        }
        if sendParts(to: backend) {
            counters.messagesForwarded.add(1, ordering: .relaxed)
            counters.bytesForwarded.add(size, ordering: .relaxed)
        }
        return true
    }

    /// Moves one subscription message from XPUB to XSUB; false when none was waiting.
    private func forwardSubscription() -> Bool {
        guard receiveParts(from: backend) else { return false }
        defer { closeParts() }
        let size = parts.indices.reduce(0) { $0 + zmq_msg_size(&parts[$1]) }
        if let policy { applyManualSubscription(policy) }
        // Upstream, every (un)subscription goes as it came, refused or not, so that the
        // publishers' counts stay symmetric (libzmq reports a closed subscriber's
        // subscriptions without its identity); the XPUB side alone decides who gets what.
        if sendParts(to: frontend) {
            counters.subscriptionsForwarded.add(1, ordering: .relaxed)
            counters.subscriptionBytes.add(size, ordering: .relaxed)
        }
        return true
    }

    /// XPUB_MANUAL: grants a subscriber the prefixes its identity may read, on the pipe the
    /// subscription came from (libzmq applies `ZMQ_SUBSCRIBE` to the last pipe read).
    private func applyManualSubscription(_ policy: any BrokerPolicy) {
        guard parts.count == 1 else { return }
        let size = zmq_msg_size(&parts[0])
        guard size >= 1 else { return }
        let bytes = UnsafeRawBufferPointer(start: zmq_msg_data(&parts[0]), count: size)
        let subscribe = bytes[0] == 1
        let prefix = Array(bytes.dropFirst())
        // A subscriber that went away: libzmq dropped its pipe already, nothing to undo here.
        guard let identity = ZMQSocket.userID(&parts[0]) else {
            if subscribe { counters.subscriptionsRefused.add(1, ordering: .relaxed) }
            return
        }
        let granted = policy.grant(identity: identity, prefix: prefix)
        if subscribe && granted.isEmpty { counters.subscriptionsRefused.add(1, ordering: .relaxed) }
        for grant in granted {
            try? backend.set(subscribe ? ZMQ_SUBSCRIBE : ZMQ_UNSUBSCRIBE, bytes: grant)
        }
    }

    private func framingProblem() -> String? {
        guard let first = parts.indices.first else {
            return BusMessage.framingProblem(frameCount: 0, topic: .init(start: nil, count: 0))
        }
        let topic = UnsafeRawBufferPointer(start: zmq_msg_data(&parts[first]), count: zmq_msg_size(&parts[first]))
        return BusMessage.framingProblem(frameCount: parts.count, topic: topic)
    }

    private func receiveParts(from socket: ZMQSocket) -> Bool {
        while true {
            var message = zmq_msg_t()
            zmq_msg_init(&message)
            let flags: Int32 = parts.isEmpty ? ZMQ_DONTWAIT : 0
            if zmq_msg_recv(&message, socket.handle, flags) < 0 {
                zmq_msg_close(&message)
                let code = zmq_errno()
                if code == EINTR { continue }
                if code != EAGAIN {
                    logger.error("receive failed", metadata: ["error": "\(BusError.last("zmq_msg_recv"))"])
                }
                closeParts()
                return false
            }
            parts.append(message)
            if zmq_msg_more(&parts[parts.count - 1]) == 0 { return true }
        }
    }

    private func sendParts(to socket: ZMQSocket) -> Bool {
        for index in parts.indices {
            let flags: Int32 = index == parts.count - 1 ? 0 : ZMQ_SNDMORE
            // XPUB and XSUB never block: at the high-water mark XPUB drops, as PUB does.
            if zmq_msg_send(&parts[index], socket.handle, flags) < 0 {
                logger.error("send failed", metadata: ["error": "\(BusError.last("zmq_msg_send"))"])
                return false
            }
        }
        return true
    }

    func closeSockets() {
        frontend.close()
        backend.close()
    }

    private func closeParts() {
        for index in parts.indices { zmq_msg_close(&parts[index]) }
        parts.removeAll(keepingCapacity: true)
    }
}
