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

    /// One batch: up to `limit` messages of `stream` from seq `from`, the seqs the reply
    /// covers and those in it gone on purpose, and the newest seq the publisher holds.
    public func fetch(
        stream: String, from: Int64, limit: Int = ReplayProtocol.maximumBatch, timeout: Duration
    )
        async throws -> ReplayProtocol.Batch
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
        return try await withThrowingTaskGroup(of: ReplayProtocol.Batch?.self) { group in
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

    /// Checks a reply against its request: every message is the asked stream's and source's,
    /// in order within `from`…`through`, and with the `absent` ranges it accounts for every
    /// seq there exactly once. Anything else refuses the whole reply.
    static func check(
        _ frames: [[UInt8]], header: ReplayProtocol.Header, stream: String, from: Int64, endpoint: String,
        source: String? = nil
    ) throws -> ReplayProtocol.Batch {
        func invalid(_ reason: String) -> ReplayError { .invalidReply(endpoint: endpoint, reason: reason) }
        if let error = header.error { throw ReplayError.refused(endpoint: endpoint, reason: error) }
        guard header.stream == stream, header.from == from, let count = header.count, count >= 0,
            let latest = header.latest, frames.count == 1 + 2 * count
        else { throw invalid("header does not match the request or the frames") }
        // A publisher before `through` sends its rows without gaps: the reply covers exactly them.
        let through = header.through ?? (from + Int64(count) - 1)
        guard through <= latest || count == 0 && through < from else {
            throw invalid("it covers up to seq \(through), beyond the newest seq \(latest)")
        }
        var absent: [ClosedRange<Int64>] = []
        for pair in header.absent ?? [] {
            guard pair.count == 2, pair[0] <= pair[1], pair[0] >= (absent.last.map { $0.upperBound + 1 } ?? from),
                pair[1] <= through
            else { throw invalid("absent range \(pair) is not an ordered range within \(from)…\(through)") }
            absent.append(pair[0]...pair[1])
        }
        var messages: [BusMessage] = []
        var seqs: [Int64] = []
        for index in 0..<count {
            let message = try BusMessage(frames: [frames[1 + 2 * index], frames[2 + 2 * index]])
            // Read as leniently as the inbox reads live messages: an envelope of a newer schema
            // (`v` 2) must reach the inbox, which keeps it as a dead letter, not stall the repair.
            guard let envelope = Inbox.header(of: message) else {
                throw invalid("message \(index) has no readable header")
            }
            if let source, envelope.source != source {
                throw invalid("message \(index) is from \(envelope.source), not \(source)")
            }
            guard envelope.stream == stream else {
                throw invalid("message \(index) is of stream \(envelope.stream), not \(stream)")
            }
            let after = seqs.last.map { $0 + 1 } ?? from
            guard envelope.seq >= after, envelope.seq <= through else {
                throw invalid("expected \(stream) seq \(after)…\(through), got seq \(envelope.seq)")
            }
            seqs.append(envelope.seq)
            messages.append(message)
        }
        // Messages and absent ranges together are exactly `from`…`through`, each seq once.
        guard ReplayProtocol.gaps(in: seqs, from: from, through: through) == absent else {
            throw invalid("the absent ranges do not account for the seqs \(from)…\(through) missing from the reply")
        }
        return ReplayProtocol.Batch(messages: messages, latest: latest, through: through, absent: absent)
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
