import Bus
import Foundation
import Messages

/// Fetches stored messages from a publisher's replay endpoint (DEALER), checking every reply:
/// a reply to another request (late or forged) is ignored, and one whose messages are not
/// the asked stream's, in order from the asked seq, is refused.
public actor ReplayClient {
    public let endpoint: String
    private let socket: BusSocket

    /// The source whose messages this endpoint serves; a message from another is refused.
    public let source: String?

    public init(endpoint: String, source: String? = nil, options: SocketOptions = SocketOptions()) throws {
        self.endpoint = endpoint
        self.source = source
        var options = options
        options.lingerMilliseconds = 0
        socket = try BusSocket(type: .dealer, options: options, connect: [endpoint])
    }

    /// One batch: up to `limit` messages of `stream` from seq `from`, and the newest seq the
    /// publisher holds.
    public func fetch(
        stream: String, from: Int64, limit: Int = ReplayProtocol.maximumBatch, timeout: Duration
    )
        async throws -> (messages: [BusMessage], latest: Int64)
    {
        // One request at a time: concurrent ones would read each other's replies off the socket.
        await acquire()
        defer { release() }
        let id = UUID().uuidString.lowercased()
        let request = ReplayProtocol.Request(request: id, stream: stream, from: from, limit: limit)
        try await socket.send([ReplayProtocol.encode(request)])
        let socket = socket
        let endpoint = endpoint
        let source = source
        return try await withThrowingTaskGroup(of: (messages: [BusMessage], latest: Int64)?.self) { group in
            group.addTask {
                while let frames = try await socket.receive() {
                    guard let header = try? CanonicalJSON.decode(ReplayProtocol.Header.self, from: frames[0]),
                        header.request == id
                    else { continue }  // not ours: a late answer to an earlier request, or garbage
                    return try Self.check(
                        frames, header: header, stream: stream, from: from, endpoint: endpoint, source: source)
                }
                throw BusError.closed
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let result = try await group.next(), let batch = result else {
                throw ReplayError.timedOut(endpoint: endpoint, stream: stream, from: from)
            }
            return batch
        }
    }

    static func check(
        _ frames: [[UInt8]], header: ReplayProtocol.Header, stream: String, from: Int64, endpoint: String,
        source: String? = nil
    ) throws -> (messages: [BusMessage], latest: Int64) {
        if let error = header.error { throw ReplayError.refused(endpoint: endpoint, reason: error) }
        guard header.stream == stream, header.from == from, let count = header.count, let latest = header.latest,
            frames.count == 1 + 2 * count
        else {
            throw ReplayError.invalidReply(
                endpoint: endpoint, reason: "header does not match the request or the frames")
        }
        var messages: [BusMessage] = []
        for index in 0..<count {
            let message = try BusMessage(frames: [frames[1 + 2 * index], frames[2 + 2 * index]])
            // Read as leniently as the inbox reads live messages: an envelope of a newer schema
            // (`v` 2) must reach the inbox, which keeps it as a dead letter, not stall the repair.
            guard let envelope = Inbox.header(of: message) else {
                throw ReplayError.invalidReply(endpoint: endpoint, reason: "message \(index) has no readable header")
            }
            if let source, envelope.source != source {
                throw ReplayError.invalidReply(
                    endpoint: endpoint, reason: "message \(index) is from \(envelope.source), not \(source)")
            }
            guard envelope.stream == stream, envelope.seq == from + Int64(index) else {
                throw ReplayError.invalidReply(
                    endpoint: endpoint,
                    reason: "expected \(stream) seq \(from + Int64(index)), got \(envelope.stream) seq \(envelope.seq)")
            }
            messages.append(message)
        }
        return (messages, latest)
    }

    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    private func acquire() async {
        guard busy else {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func release() {
        if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
    }

    /// Closes the socket.
    public func close() async { await socket.close() }
}
