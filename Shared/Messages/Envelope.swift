import Foundation

/// A bus message: the JSON object of the second frame, whose first frame is the topic.
///
/// On the wire: `v` (1), `id` (lowercase UUID), `type` (the topic), `source`, `seq`,
/// `time`, `correlation` (omitted when nil) and `payload`. Unknown fields are ignored.
/// `encoded()` writes the canonical form of `CanonicalJSON`, so a decoded canonical
/// message re-encodes to the same bytes.
public struct Envelope: Hashable, Sendable {
    /// The envelope schema version this build reads and writes.
    public static let version = 1

    /// Unique message id; consumers deduplicate on it.
    public var id: UUID
    /// The publishing service instance, e.g. `offer-registry`.
    public var source: String
    /// Per (`source`, stream) sequence number, gap-free from 1; 0 for heartbeats.
    public var seq: Int64
    /// When the event was committed.
    public var time: Timestamp
    /// Id of the message or request that caused this one.
    public var correlation: String?
    /// The event, typed by its topic.
    public var payload: Event

    public init(
        id: UUID = UUID(), source: String, seq: Int64, time: Timestamp = .now, correlation: String? = nil,
        event: Event
    ) {
        self.id = id
        self.source = source
        self.seq = seq
        self.time = time
        self.correlation = correlation
        self.payload = event
    }

    /// Always `Envelope.version`.
    public var v: Int { Self.version }
    /// The topic, which is also the first frame.
    public var type: String { payload.topic }
    /// The stream: the first segment of the topic.
    public var stream: String { payload.stream }
    /// The first frame of the bus message: the topic in UTF-8.
    public var topicFrame: [UInt8] { Array(type.utf8) }

    /// The second frame of the bus message, in canonical JSON.
    public func encoded() -> [UInt8] {
        do {
            return try CanonicalJSON.encode(self)
        } catch {
            // Unreachable: every payload type encodes without throwing, and non-finite
            // numbers are written as strings by CanonicalJSON.
            preconditionFailure("Envelope failed to encode: \(error)")
        }
    }

    /// Decodes a message received as (`topic`, `bytes`), checking the topic is well formed
    /// and equals the envelope's `type`.
    public static func decode(topic: String, bytes: some Collection<UInt8>) throws(MessageError) -> Envelope {
        try Topic.validate(topic)
        let envelope = try CanonicalJSON.decode(Envelope.self, from: bytes)
        guard envelope.type == topic else {
            throw .typeMismatch(topic: topic, type: envelope.type)
        }
        return envelope
    }

    /// Decodes a message from its two frames as received.
    public static func decode(
        topicFrame: some Collection<UInt8>, bytes: some Collection<UInt8>
    ) throws(MessageError)
        -> Envelope
    {
        try decode(topic: try Topic.validate(frame: topicFrame), bytes: bytes)
    }

    /// Decodes an envelope without a topic frame, e.g. from a replay batch.
    public static func decode(bytes: some Collection<UInt8>) throws(MessageError) -> Envelope {
        try CanonicalJSON.decode(Envelope.self, from: bytes)
    }
}

extension Envelope: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: EnvelopeFields.CodingKeys.self)
        let fields = try EnvelopeFields(from: container)
        self.init(
            id: fields.id, source: fields.source, seq: fields.seq, time: fields.time, correlation: fields.correlation,
            event: try Event.decode(topic: fields.type, from: container, forKey: .payload))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: EnvelopeFields.CodingKeys.self)
        try EnvelopeFields(envelope: self).encode(to: &container)
        try container.encode(payload.payload, forKey: .payload)
    }
}
