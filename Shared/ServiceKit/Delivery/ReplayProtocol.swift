import Bus
import Foundation
import Messages

/// The replay protocol, over ZeroMQ DEALER (client) → ROUTER (the publisher's replay endpoint).
///
/// Request, one frame: `{"request": ID, "stream": "offer", "from": 1, "limit": 1000}`.
/// Reply: a header frame `{"request": ID, "stream": "offer", "from": 1, "count": n,
/// "latest": L, "through": T, "first": F, "absent": [[a, b], …]}` then `n` pairs of frames
/// (topic, envelope), the stored messages of that stream from seq `from` on, in order;
/// `latest` is the newest seq the publisher holds.
///
/// The reply covers the seqs `from`…`through` (none when `through` < `from`): each is either
/// one of the `n` messages or inside one of the `absent` ranges (inclusive, in order), the
/// seqs gone on purpose (compacted: superseded by a later event of the same record; or
/// pruned: before `first`, where the stream's history now starts). The reader advances over
/// them without calling them a gap. A reply without `through` (a publisher before this
/// protocol) covers exactly `from`…`from + n - 1`.
/// A refused request gets a header with `"error"` and no pairs.
public enum ReplayProtocol {
    /// Most messages in one reply, whatever the request asks.
    public static let maximumBatch = 1_000

    public struct Request: Codable, Sendable, Equatable {
        public var request: String
        public var stream: String
        public var from: Int64
        public var limit: Int

        public init(request: String, stream: String, from: Int64, limit: Int) {
            self.request = request
            self.stream = stream
            self.from = from
            self.limit = limit
        }
    }

    public struct Header: Codable, Sendable, Equatable {
        public var request: String?
        public var stream: String?
        public var from: Int64?
        public var count: Int?
        public var latest: Int64?
        /// The last seq this reply covers.
        public var through: Int64?
        /// The oldest seq the stream still holds (its declared history start).
        public var first: Int64?
        /// Seqs in `from`…`through` gone on purpose, as inclusive `[low, high]` ranges.
        public var absent: [[Int64]]?
        public var error: String?

        public init(
            request: String?, stream: String? = nil, from: Int64? = nil, count: Int? = nil, latest: Int64? = nil,
            through: Int64? = nil, first: Int64? = nil, absent: [[Int64]]? = nil, error: String? = nil
        ) {
            self.request = request
            self.stream = stream
            self.from = from
            self.count = count
            self.latest = latest
            self.through = through
            self.first = first
            self.absent = absent
            self.error = error
        }
    }

    /// One checked reply: the messages, and what else of `from`…`through` is gone on purpose.
    public struct Batch: Sendable {
        public var messages: [BusMessage]
        /// The newest seq the publisher holds.
        public var latest: Int64
        /// The last seq covered; below `from` when the reply covers nothing.
        public var through: Int64
        /// Seqs gone on purpose (compacted or pruned), as inclusive ranges in order.
        public var absent: [ClosedRange<Int64>]

        public init(messages: [BusMessage], latest: Int64, through: Int64, absent: [ClosedRange<Int64>]) {
            self.messages = messages
            self.latest = latest
            self.through = through
            self.absent = absent
        }

        /// How many seqs are gone on purpose.
        public var absentCount: Int64 { absent.reduce(0) { $0 + Int64($1.count) } }
    }

    /// The ranges of `from`…`through` missing from `present` (ascending seqs within it).
    static func gaps(in present: [Int64], from: Int64, through: Int64) -> [ClosedRange<Int64>] {
        var gaps: [ClosedRange<Int64>] = []
        var next = from
        for seq in present {
            if seq > next { gaps.append(next...(seq - 1)) }
            next = seq + 1
        }
        if through >= next { gaps.append(next...through) }
        return gaps
    }

    static func encode(_ value: some Encodable) -> [UInt8] {
        (try? CanonicalJSON.encode(value)) ?? Array("{}".utf8)
    }
}

/// What can go wrong fetching from a replay endpoint; each says which and why.
public enum ReplayError: Error, Sendable, Equatable, CustomStringConvertible {
    case timedOut(endpoint: String, stream: String, from: Int64)
    case refused(endpoint: String, reason: String)
    case invalidReply(endpoint: String, reason: String)

    public var description: String {
        switch self {
        case .timedOut(let endpoint, let stream, let from):
            "replay \(endpoint): no answer for stream \(stream) from seq \(from)"
        case .refused(let endpoint, let reason): "replay \(endpoint) refused: \(reason)"
        case .invalidReply(let endpoint, let reason): "replay \(endpoint) sent an invalid reply: \(reason)"
        }
    }
}
