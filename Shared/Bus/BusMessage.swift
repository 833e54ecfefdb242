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
        let topic = frames.first ?? []
        if let problem = topic.withUnsafeBytes({ Self.framingProblem(frameCount: frames.count, topic: $0) }) {
            throw BusError.malformed(reason: problem)
        }
        self.topic = String(decoding: topic, as: UTF8.self)
        self.envelope = frames[1]
    }

    /// The wire protocol's framing rule, in one place for the subscriber and the broker (which
    /// checks libzmq's buffers without copying them): `nil` when the framing is sound.
    static func framingProblem(frameCount: Int, topic: UnsafeRawBufferPointer) -> String? {
        guard frameCount == 2 else { return "expected 2 frames (topic, envelope), got \(frameCount)" }
        guard !topic.isEmpty else { return "empty topic frame" }
        guard String(validating: topic, as: UTF8.self) != nil else { return "topic frame is not valid UTF-8" }
        return nil
    }
}
