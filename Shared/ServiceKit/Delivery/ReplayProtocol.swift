import Foundation
import Messages

/// The replay protocol, over ZeroMQ DEALER (client) → ROUTER (the publisher's replay endpoint).
///
/// Request, one frame: `{"request": ID, "stream": "offer", "from": 1, "limit": 1000}`.
/// Reply: a header frame `{"request": ID, "stream": "offer", "from": 1, "count": n,
/// "latest": L}` then `n` pairs of frames (topic, envelope), the stored messages of that
/// stream from seq `from` on, in order; `latest` is the newest seq the publisher holds.
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
        public var error: String?

        public init(
            request: String?, stream: String? = nil, from: Int64? = nil, count: Int? = nil, latest: Int64? = nil,
            error: String? = nil
        ) {
            self.request = request
            self.stream = stream
            self.from = from
            self.count = count
            self.latest = latest
            self.error = error
        }
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
