import Foundation

/// An envelope whose payload is left as plain JSON: for tools that display or forward
/// messages (bus-tap) and need not understand every topic.
///
/// The envelope fields are checked as strictly as by `Envelope`.
public struct EnvelopeHeader: Hashable, Sendable {
    public var v: Int
    public var id: UUID
    public var type: String
    public var source: String
    public var seq: Int64
    public var time: Timestamp
    public var correlation: String?
    public var payload: JSONValue

    /// The stream: the first segment of `type`.
    public var stream: String { Topic.stream(of: type) }

    /// Decodes a message received as (`topic`, `bytes`), checking the topic is well formed
    /// and equals the envelope's `type`.
    public static func decode(topic: String, bytes: some Collection<UInt8>) throws(MessageError) -> EnvelopeHeader {
        try Topic.validate(topic)
        let header = try CanonicalJSON.decode(EnvelopeHeader.self, from: bytes)
        guard header.type == topic else {
            throw .typeMismatch(topic: topic, type: header.type)
        }
        return header
    }

    /// Decodes an envelope without a topic frame.
    public static func decode(bytes: some Collection<UInt8>) throws(MessageError) -> EnvelopeHeader {
        try CanonicalJSON.decode(EnvelopeHeader.self, from: bytes)
    }
}

extension EnvelopeHeader: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: EnvelopeFields.CodingKeys.self)
        let fields = try EnvelopeFields(from: container)
        v = Envelope.version
        id = fields.id
        type = fields.type
        source = fields.source
        seq = fields.seq
        time = fields.time
        correlation = fields.correlation
        payload = try container.decode(JSONValue.self, forKey: .payload)
    }
}

/// The envelope fields other than the payload, decoded and checked once for `Envelope`
/// and `EnvelopeHeader`.
struct EnvelopeFields {
    enum CodingKeys: String, CodingKey {
        case v, id, type, source, seq, time, correlation, payload
    }

    var id: UUID
    var type: String
    var source: String
    var seq: Int64
    var time: Timestamp
    var correlation: String?

    init(envelope: Envelope) {
        id = envelope.id
        type = envelope.type
        source = envelope.source
        seq = envelope.seq
        time = envelope.time
        correlation = envelope.correlation
    }

    init(from container: KeyedDecodingContainer<CodingKeys>) throws {
        let version = try container.decode(Int.self, forKey: .v)
        guard version == Envelope.version else { throw MessageError.unsupportedVersion(version) }

        let id = try container.decode(String.self, forKey: .id)
        guard let uuid = UUID(uuidString: id) else {
            throw DecodingError.dataCorruptedError(
                forKey: .id, in: container, debugDescription: "\"\(id)\" is not a UUID")
        }
        self.id = uuid

        type = try container.decode(String.self, forKey: .type)
        if let problem = Topic.problem(type) {
            throw DecodingError.dataCorruptedError(
                forKey: .type, in: container, debugDescription: "\"\(type)\" is not a topic: \(problem)")
        }

        source = try container.decode(String.self, forKey: .source)
        guard Topic.isValidName(source) else {
            throw DecodingError.dataCorruptedError(
                forKey: .source, in: container,
                debugDescription: "\"\(source)\" is not a service name: use lowercase a-z, digits, '-' and '.'")
        }

        seq = try container.decode(Int64.self, forKey: .seq)
        guard seq >= 0 else {
            throw DecodingError.dataCorruptedError(
                forKey: .seq, in: container, debugDescription: "seq \(seq) is negative")
        }

        time = try container.decode(Timestamp.self, forKey: .time)
        correlation = try container.decodeIfPresent(String.self, forKey: .correlation)
    }

    func encode(to container: inout KeyedEncodingContainer<CodingKeys>) throws {
        try container.encode(Envelope.version, forKey: .v)
        try container.encode(id.uuidString.lowercased(), forKey: .id)
        try container.encode(type, forKey: .type)
        try container.encode(source, forKey: .source)
        try container.encode(seq, forKey: .seq)
        try container.encode(time, forKey: .time)
        try container.encodeIfPresent(correlation, forKey: .correlation)
    }
}
