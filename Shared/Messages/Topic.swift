/// Topic strings of the bus: the first frame of every message, `<stream>.<event>`.
///
/// A topic is non-empty UTF-8 made of at least two lowercase segments `[a-z0-9-]+` joined
/// by `.`; its first segment is the stream. Subscribers filter by prefix, so reliable
/// consumers subscribe to a whole stream with `Topic.prefix(ofStream:)`.
public enum Topic {
    public static let offerPublished = "offer.published"
    public static let offerUpdated = "offer.updated"
    public static let offerClosed = "offer.closed"
    public static let candidateRegistered = "candidate.registered"
    public static let candidateUpdated = "candidate.updated"
    public static let candidateWithdrawn = "candidate.withdrawn"
    public static let candidateErased = "candidate.erased"
    public static let contactUpdated = "contact.updated"
    public static let contactErased = "contact.erased"
    public static let matchFound = "match.found"
    public static let matchWithdrawn = "match.withdrawn"
    public static let notificationSent = "notification.sent"
    public static let notificationFailed = "notification.failed"
    public static let notificationReply = "notification.reply"

    /// The stream of heartbeats; each publisher's topic is `heartbeat.<source>`.
    public static let heartbeatStream = "heartbeat"

    /// Every fixed topic this build knows, in the order of DESIGN.md (heartbeats excluded:
    /// their topic depends on the source).
    public static let known: [String] = [
        offerPublished, offerUpdated, offerClosed,
        candidateRegistered, candidateUpdated, candidateWithdrawn, candidateErased,
        contactUpdated, contactErased,
        matchFound, matchWithdrawn,
        notificationSent, notificationFailed, notificationReply,
    ]

    /// The topic of the heartbeat of `source`, e.g. `heartbeat.offer-registry`.
    public static func heartbeat(source: String) -> String {
        "\(heartbeatStream).\(source)"
    }

    /// The stream of a topic: its first segment (`offer` for `offer.published`).
    public static func stream(of topic: String) -> String {
        String(topic.prefix { $0 != "." })
    }

    /// The subscription prefix that receives a whole stream, e.g. `offer.`.
    public static func prefix(ofStream stream: String) -> String {
        stream + "."
    }

    /// Throws `MessageError.invalidTopic` unless `topic` is well formed.
    public static func validate(_ topic: String) throws(MessageError) {
        if let reason = problem(topic) {
            throw .invalidTopic(topic: topic, reason: reason)
        }
    }

    /// Validates a topic frame as received and returns it as a string.
    public static func validate(frame: some Collection<UInt8>) throws(MessageError) -> String {
        guard let topic = String(validating: frame, as: UTF8.self) else {
            throw .invalidTopic(topic: String(decoding: frame, as: UTF8.self), reason: "not valid UTF-8")
        }
        try validate(topic)
        return topic
    }

    /// Why `topic` is malformed, or nil when it is fine.
    static func problem(_ topic: String) -> String? {
        if topic.isEmpty { return "empty" }
        let segments = topic.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        if segments.contains(where: \.isEmpty) { return "empty segment (leading, trailing or doubled '.')" }
        if segments.count < 2 { return "needs at least two segments, <stream>.<event>" }
        if let bad = topic.unicodeScalars.first(where: { !isSegmentCharacter($0) && $0 != "." }) {
            return "character '\(bad)' not allowed: use lowercase a-z, digits, '-' and '.'"
        }
        return nil
    }

    /// Whether `name` can stand in a topic as one or more segments (a source or stream name).
    static func isValidName(_ name: String) -> Bool {
        problem(name + ".x") == nil
    }

    private static func isSegmentCharacter(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "-"
    }
}
