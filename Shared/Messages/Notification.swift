/// A message the notifier sent, or gave up sending: the payload of `notification.sent` and
/// `notification.failed`. Never the phone number or the text: those stay in the notifier.
public struct NotificationEvent: Hashable, Sendable, Codable {
    /// The notifier's id for this notification.
    public var notificationId: String
    public var candidateId: String
    /// The offer the notification is about, if any.
    public var offerId: String?
    /// The channel used: `spool`, `webhook`, `kannel`…
    public var channel: String
    /// The template the text was written from, e.g. `match` or `stop-confirmed`.
    public var template: String
    /// Which try this was (1 for the first).
    public var attempt: Int
    /// Why sending failed (`notification.failed`).
    public var reason: String?

    public init(
        notificationId: String, candidateId: String, offerId: String? = nil, channel: String, template: String,
        attempt: Int = 1, reason: String? = nil
    ) {
        self.notificationId = notificationId
        self.candidateId = candidateId
        self.offerId = offerId
        self.channel = channel
        self.template = template
        self.attempt = attempt
        self.reason = reason
    }
}

/// What a candidate's answer means; a value this build does not know is kept as it came
/// (schema evolution: a new intent is compatible).
public struct ReplyIntent: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// `OUI <ref>`: interested in the offer.
    public static let interested = ReplyIntent(rawValue: "interested")
    /// `NON <ref>`: not interested.
    public static let declined = ReplyIntent(rawValue: "declined")
    /// `STOP`: send me nothing more.
    public static let stop = ReplyIntent(rawValue: "stop")
    /// `VERIF <ref>`: is this offer registered?
    public static let verify = ReplyIntent(rawValue: "verify")
    /// Anything else.
    public static let other = ReplyIntent(rawValue: "other")

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }
}

/// A candidate's answer, e.g. by SMS: the payload of `notification.reply`. Never the phone
/// number or the text: what it means (`intent`) and what it is about (`offerId`).
public struct NotificationReply: Hashable, Sendable, Codable {
    public var candidateId: String
    public var offerId: String?
    public var intent: ReplyIntent
    public var channel: String
    public var receivedAt: Timestamp

    public init(
        candidateId: String, offerId: String? = nil, intent: ReplyIntent, channel: String, receivedAt: Timestamp
    ) {
        self.candidateId = candidateId
        self.offerId = offerId
        self.intent = intent
        self.channel = channel
        self.receivedAt = receivedAt
    }
}
