import Bus
import Messages

// What the inbox works on: messages decoded once, runs of consecutive ones, and the ranges a
// replay declared gone on purpose.
extension Inbox {
    /// One received message, decoded once: `envelope` is nil when its envelope is sound but
    /// its payload is one this build cannot read (it is skipped, and must not block its stream).
    struct Received: Sendable {
        var source: String
        var stream: String
        var seq: Int64
        var envelope: Envelope?
        /// Why the payload could not be read, when `envelope` is nil.
        var problem: String? = nil
        var message: BusMessage
    }

    /// Source, stream and seq of a message this build cannot decode whole: enough to keep
    /// it as a dead letter in its place. An envelope of a newer schema version (`"v":2`)
    /// has them too, and must not be skipped (its seq would then stall the stream).
    static func header(of message: BusMessage) -> (source: String, stream: String, seq: Int64)? {
        if let header = try? EnvelopeHeader.decode(topic: message.topic, bytes: message.envelope) {
            return (header.source, header.stream, header.seq)
        }
        struct Fields: Decodable {
            var type: String
            var source: String
            var seq: Int64
        }
        guard (try? StrictJSON.check(message.envelope)) != nil, (try? Topic.validate(message.topic)) != nil,
            let fields = try? CanonicalJSON.decode(Fields.self, from: message.envelope),
            fields.type == message.topic, !fields.source.isEmpty, fields.seq >= 1
        else { return nil }
        return (fields.source, Topic.stream(of: fields.type), fields.seq)
    }

    /// Consecutive messages of one stream, applied together.
    struct PendingRun: Sendable {
        var key: Key
        var items: [Received]
        var last: Int64
    }

    /// Whether the ranges (ordered, disjoint) cover every seq of `wanted`.
    static func covers(_ ranges: [ClosedRange<Int64>], _ wanted: ClosedRange<Int64>) -> Bool {
        var next = wanted.lowerBound
        for range in ranges where range.upperBound >= next {
            guard range.lowerBound <= next else { return false }
            next = range.upperBound + 1
            if next > wanted.upperBound { return true }
        }
        return false
    }
}
