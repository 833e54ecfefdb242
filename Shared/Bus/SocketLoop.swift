import CZeroMQ
import DequeModule
import Foundation
import Synchronization

/// The dedicated thread that owns one libzmq socket, bridged to async code.
///
/// libzmq sockets are not thread-safe, and their calls block; neither may touch Swift's
/// cooperative pool. So each socket lives on a thread of its own that sleeps in `zmq_poll`
/// on the socket and on an eventfd. Async callers only touch the queues below (under a
/// mutex) and ring the eventfd; the thread moves messages between the queues and libzmq.
///
/// Back-pressure both ways: a sender suspends while `sendCapacity` messages wait, and the
/// thread stops reading the socket while `receiveCapacity` messages wait for a consumer, so
/// that libzmq's own high-water mark (not an unbounded Swift buffer) decides what happens to
/// a slow consumer.
final class SocketLoop: @unchecked Sendable {
    enum Outgoing {
        case message([[UInt8]])
        case subscribe([UInt8])
        case unsubscribe([UInt8])
        case barrier(CheckedContinuation<Void, any Error>)
    }

    struct State {
        var outgoing: Deque<Outgoing> = []
        var sendWaiters: [CheckedContinuation<Void, Never>] = []
        var incoming: Deque<[[UInt8]]> = []
        var receiveWaiters: Deque<(id: UInt64, continuation: CheckedContinuation<[[UInt8]]?, any Error>)> = []
        var nextWaiterID: UInt64 = 0
        var readingPaused = false
        var stopping = false
        var finished = false
        var failure: BusError?
        var finishWaiters: [CheckedContinuation<Void, Never>] = []
        var sendErrors = 0
    }

    let state = Mutex(State())
    let wake = WakeUpSignal()
    /// Touched only by the loop's thread once it started (libzmq allows the hand-over).
    private let socket: ZMQSocket
    let sendCapacity: Int
    let receiveCapacity: Int
    /// When set, every received message starts with one extra element: the ZAP user id of
    /// the connection it came on, in UTF-8 (empty when none), read before libzmq frees it.
    let capturesIdentity: Bool

    init(
        socket: ZMQSocket, sendCapacity: Int = 4_096, receiveCapacity: Int = 4_096, capturesIdentity: Bool = false,
        name: String
    ) {
        self.socket = socket
        self.sendCapacity = sendCapacity
        self.receiveCapacity = receiveCapacity
        self.capturesIdentity = capturesIdentity
        let thread = Thread { [self] in run() }
        thread.name = name
        thread.start()
    }

    // MARK: - Caller side (any thread or task)

    func send(_ frames: [[UInt8]]) async throws {
        try await enqueue(.message(frames))
    }

    func enqueue(_ item: Outgoing) async throws {
        while true {
            enum Outcome { case closed, queued(signal: Bool), full }
            let outcome: Outcome = state.withLock { state in
                if state.stopping || state.finished { return .closed }
                guard state.outgoing.count < sendCapacity else { return .full }
                state.outgoing.append(item)
                return .queued(signal: state.outgoing.count == 1)
            }
            switch outcome {
            case .closed:
                throw BusError.closed
            case .queued(let signal):
                if signal { wake.signal() }
                return
            case .full:
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let waitNow = state.withLock { state in
                        guard state.outgoing.count >= sendCapacity, !state.stopping, !state.finished else {
                            return false
                        }
                        state.sendWaiters.append(continuation)
                        return true
                    }
                    if !waitNow { continuation.resume() }
                }
            }
        }
    }

    /// Waits until everything queued before it was handed to libzmq.
    func flush() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let accepted = state.withLock { state in
                if state.stopping || state.finished { return false }
                state.outgoing.append(.barrier(continuation))
                return true
            }
            if accepted { wake.signal() } else { continuation.resume(throwing: BusError.closed) }
        }
    }

    /// The next message, or `nil` once the socket is closed and nothing is left.
    func receive() async throws -> [[UInt8]]? {
        if let message = popIncoming() { return message }
        let id = state.withLock { state in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[[UInt8]]?, any Error>) in
                enum Outcome { case message([[UInt8]]), finished(BusError?), cancelled, waiting }
                var signal = false
                let outcome: Outcome = state.withLock { state in
                    if let message = state.incoming.popFirst() {
                        signal = resumeReadingIfDrained(&state)
                        return .message(message)
                    }
                    if state.finished { return .finished(state.failure) }
                    if Task.isCancelled { return .cancelled }
                    state.receiveWaiters.append((id, continuation))
                    return .waiting
                }
                if signal { wake.signal() }
                switch outcome {
                case .message(let message): continuation.resume(returning: message)
                case .finished(nil): continuation.resume(returning: nil)
                case .finished(let failure?): continuation.resume(throwing: failure)
                case .cancelled: continuation.resume(throwing: CancellationError())
                case .waiting: break
                }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<[[UInt8]]?, any Error>? in
                guard let index = state.receiveWaiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.receiveWaiters.remove(at: index).continuation
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    /// Up to `max` messages that are already waiting, without suspending.
    func receiveAvailable(max: Int) -> [[[UInt8]]] {
        var signal = false
        let messages = state.withLock { state -> [[[UInt8]]] in
            let count = Swift.min(max, state.incoming.count)
            guard count > 0 else { return [] }
            let taken = Array(state.incoming.prefix(count))
            state.incoming.removeFirst(count)
            signal = resumeReadingIfDrained(&state)
            return taken
        }
        if signal { wake.signal() }
        return messages
    }

    private func popIncoming() -> [[UInt8]]? {
        var signal = false
        let message = state.withLock { state -> [[UInt8]]? in
            guard let message = state.incoming.popFirst() else { return nil }
            signal = resumeReadingIfDrained(&state)
            return message
        }
        if signal { wake.signal() }
        return message
    }

    private func resumeReadingIfDrained(_ state: inout State) -> Bool {
        guard state.readingPaused, state.incoming.count <= receiveCapacity / 2 else { return false }
        state.readingPaused = false
        return true
    }

    /// Asks the thread to close the socket; returns at once.
    func stop() {
        state.withLock { $0.stopping = true }
        wake.signal()
    }

    /// Waits until the thread closed the socket.
    func waitUntilFinished() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { state in
                if state.finished { return true }
                state.finishWaiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    // MARK: - The socket's own thread

    private func run() {
        var pending: Deque<Outgoing> = []
        var failure: BusError?
        let receives = socket.type.receives
        loop: while true {
            let (stopping, readable, senders) = state.withLock { state in
                pending.append(contentsOf: state.outgoing)
                state.outgoing.removeAll(keepingCapacity: true)
                let senders = state.sendWaiters
                state.sendWaiters.removeAll()
                if state.incoming.count >= receiveCapacity { state.readingPaused = true }
                return (state.stopping, receives && !state.readingPaused, senders)
            }
            senders.forEach { $0.resume() }

            let blocked = pushPending(&pending)
            if stopping { break loop }

            var items = [
                zmq_pollitem_t(
                    socket: socket.handle, fd: 0,
                    events: Int16((readable ? ZMQ_POLLIN : 0) | (blocked ? ZMQ_POLLOUT : 0)), revents: 0),
                zmq_pollitem_t(socket: nil, fd: wake.descriptor, events: Int16(ZMQ_POLLIN), revents: 0),
            ]
            if zmq_poll(&items, 2, -1) < 0 {
                if zmq_errno() == EINTR { continue }
                failure = BusError.last("zmq_poll")
                break loop
            }
            if items[1].revents != 0 { wake.drain() }
            if items[0].revents & Int16(ZMQ_POLLIN) != 0 {
                do {
                    try readAvailable()
                } catch {
                    failure = error
                    break loop
                }
            }
        }
        finish(pending: pending, failure: failure)
    }

    /// Hands queued messages to libzmq; returns whether libzmq refused one (high-water mark).
    private func pushPending(_ pending: inout Deque<Outgoing>) -> Bool {
        while let item = pending.first {
            switch item {
            case .message(let frames):
                do {
                    guard try socket.send(frames, dontWait: true) else { return true }
                } catch {
                    state.withLock { $0.sendErrors += 1 }
                }
            case .subscribe(let prefix):
                try? socket.subscribe(prefix)
            case .unsubscribe(let prefix):
                try? socket.unsubscribe(prefix)
            case .barrier(let continuation):
                continuation.resume()
            }
            pending.removeFirst()
        }
        return false
    }

    private func readAvailable() throws(BusError) {
        var batch: [[[UInt8]]] = []
        var identity: String?
        while batch.count < 256,
            let message = try socket.receive(dontWait: true, identity: &identity, wantIdentity: capturesIdentity)
        {
            batch.append(capturesIdentity ? [Array((identity ?? "").utf8)] + message : message)
            identity = nil
        }
        guard !batch.isEmpty else { return }
        var handOver: [(CheckedContinuation<[[UInt8]]?, any Error>, [[UInt8]])] = []
        state.withLock { state in
            for message in batch {
                if let waiter = state.receiveWaiters.popFirst() {
                    handOver.append((waiter.continuation, message))
                } else {
                    state.incoming.append(message)
                }
            }
        }
        for (continuation, message) in handOver { continuation.resume(returning: message) }
    }

    private func finish(pending: Deque<Outgoing>, failure: BusError?) {
        socket.close()  // LINGER lets libzmq's I/O thread flush what was already handed over.
        let (receivers, finishers, senders) = state.withLock { state in
            state.finished = true
            state.failure = failure
            let receivers = state.receiveWaiters.map(\.continuation)
            state.receiveWaiters.removeAll()
            let finishers = state.finishWaiters
            state.finishWaiters.removeAll()
            let senders = state.sendWaiters
            state.sendWaiters.removeAll()
            return (receivers, finishers, senders)
        }
        let leftovers =
            pending
            + state.withLock { state in
                defer { state.outgoing.removeAll() }
                return state.outgoing
            }
        for case .barrier(let continuation) in leftovers { continuation.resume(throwing: BusError.closed) }
        for receiver in receivers {
            if let failure { receiver.resume(throwing: failure) } else { receiver.resume(returning: nil) }
        }
        senders.forEach { $0.resume() }
        finishers.forEach { $0.resume() }
    }
}
