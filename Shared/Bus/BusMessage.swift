/// One bus message as it travels: exactly two frames, the topic and the envelope
/// (DESIGN.md, "Wire protocol"). The Bus does not parse the envelope; Messages does.
public struct BusMessage: Sendable, Equatable {
    /// `<stream>.<event>`, UTF-8; subscriptions are prefix filters on it.
    public var topic: String
    /// The envelope's JSON bytes exactly as sent.
    public var envelope: [UInt8]

    public init(topic: String, envelope: [UInt8]) {
        self.topic = topic
        self.envelope = envelope
    }

    /// The stream: the topic's first dotted segment.
    public var stream: Substring { topic.split(separator: ".", maxSplits: 1).first ?? "" }

    /// The two ZeroMQ frames.
    public var frames: [[UInt8]] { [Array(topic.utf8), envelope] }

    /// Reads a received multipart message, rejecting what breaks the wire protocol's framing.
    public init(frames: [[UInt8]]) throws(BusError) {
        guard frames.count == 2 else {
            throw BusError.malformed(reason: "expected 2 frames (topic, envelope), got \(frames.count)")
        }
        guard !frames[0].isEmpty else { throw BusError.malformed(reason: "empty topic frame") }
        guard let topic = String(validating: frames[0], as: UTF8.self) else {
            throw BusError.malformed(reason: "topic frame is not valid UTF-8")
        }
        self.topic = topic
        self.envelope = frames[1]
    }
}
