/// A message the notifier sent, or failed to send: the payload of `notification.sent`
/// and `notification.failed`.
public struct NotificationEvent: Hashable, Sendable, Codable {
    /// The notifier's id for this notification.
    public var id: String
    public var candidateId: String
    /// The offer the notification is about, if any.
    public var offerId: String?
    /// The channel used, e.g. `sms` or `email`.
    public var channel: String
    /// The text sent.
    public var message: String?
    /// Why sending failed (`notification.failed`).
    public var error: String?

    public init(
        id: String, candidateId: String, offerId: String? = nil, channel: String, message: String? = nil,
        error: String? = nil
    ) {
        self.id = id
        self.candidateId = candidateId
        self.offerId = offerId
        self.channel = channel
        self.message = message
        self.error = error
    }
}

/// A message received from a candidate, e.g. an SMS answer: the payload of
/// `notification.reply`.
public struct NotificationReply: Hashable, Sendable, Codable {
    /// The candidate the sender was recognised as, if any.
    public var candidateId: String?
    public var channel: String
    public var text: String
    public var receivedAt: Timestamp

    public init(candidateId: String? = nil, channel: String, text: String, receivedAt: Timestamp) {
        self.candidateId = candidateId
        self.channel = channel
        self.text = text
        self.receivedAt = receivedAt
    }
}
