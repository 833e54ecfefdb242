/// The payload of a bus message, typed by its topic.
///
/// Topics this build does not know decode as `.unknown` and encode back unchanged, so a
/// service built before a topic existed still passes the message on.
public enum Event: Hashable, Sendable {
    case offerPublished(Offer)
    case offerUpdated(Offer)
    /// The offer as it was closed, with `status` `closed` and usually a `closedReason`.
    case offerClosed(Offer)
    case candidateRegistered(CandidateProfile)
    case candidateUpdated(CandidateProfile)
    case candidateWithdrawn(CandidateProfile)
    /// Every service deletes or anonymises what it holds about this candidate.
    case candidateErased(CandidateErased)
    case contactUpdated(ContactDetails)
    case contactErased(ContactErased)
    case matchFound(Match)
    case matchWithdrawn(Match)
    case notificationSent(NotificationEvent)
    case notificationFailed(NotificationEvent)
    case notificationReply(NotificationReply)
    /// Topic `heartbeat.<source>`.
    case heartbeat(Heartbeat)
    /// A topic this build does not know, with its payload as received.
    case unknown(topic: String, payload: JSONValue)

    /// The topic this event is published on; the envelope's `type`.
    public var topic: String {
        switch self {
        case .offerPublished: Topic.offerPublished
        case .offerUpdated: Topic.offerUpdated
        case .offerClosed: Topic.offerClosed
        case .candidateRegistered: Topic.candidateRegistered
        case .candidateUpdated: Topic.candidateUpdated
        case .candidateWithdrawn: Topic.candidateWithdrawn
        case .candidateErased: Topic.candidateErased
        case .contactUpdated: Topic.contactUpdated
        case .contactErased: Topic.contactErased
        case .matchFound: Topic.matchFound
        case .matchWithdrawn: Topic.matchWithdrawn
        case .notificationSent: Topic.notificationSent
        case .notificationFailed: Topic.notificationFailed
        case .notificationReply: Topic.notificationReply
        case .heartbeat(let heartbeat): Topic.heartbeat(source: heartbeat.source)
        case .unknown(let topic, _): topic
        }
    }

    /// The stream: the first segment of `topic`.
    public var stream: String { Topic.stream(of: topic) }

    /// The typed payload, for encoding.
    var payload: any Encodable & Sendable {
        switch self {
        case .offerPublished(let offer), .offerUpdated(let offer), .offerClosed(let offer): offer
        case .candidateRegistered(let profile), .candidateUpdated(let profile),
            .candidateWithdrawn(let profile):
            profile
        case .candidateErased(let erased): erased
        case .contactUpdated(let details): details
        case .contactErased(let erased): erased
        case .matchFound(let match), .matchWithdrawn(let match): match
        case .notificationSent(let notification), .notificationFailed(let notification): notification
        case .notificationReply(let reply): reply
        case .heartbeat(let heartbeat): heartbeat
        case .unknown(_, let payload): payload
        }
    }

    /// Decodes the payload under `key` as the type `topic` calls for.
    static func decode<Key: CodingKey>(
        topic: String, from container: KeyedDecodingContainer<Key>, forKey key: Key
    ) throws -> Event {
        func payload<T: Decodable>(_ type: T.Type) throws -> T {
            try container.decode(T.self, forKey: key)
        }
        switch topic {
        case Topic.offerPublished: return .offerPublished(try payload(Offer.self))
        case Topic.offerUpdated: return .offerUpdated(try payload(Offer.self))
        case Topic.offerClosed: return .offerClosed(try payload(Offer.self))
        case Topic.candidateRegistered: return .candidateRegistered(try payload(CandidateProfile.self))
        case Topic.candidateUpdated: return .candidateUpdated(try payload(CandidateProfile.self))
        case Topic.candidateWithdrawn: return .candidateWithdrawn(try payload(CandidateProfile.self))
        case Topic.candidateErased: return .candidateErased(try payload(CandidateErased.self))
        case Topic.contactUpdated: return .contactUpdated(try payload(ContactDetails.self))
        case Topic.contactErased: return .contactErased(try payload(ContactErased.self))
        case Topic.matchFound: return .matchFound(try payload(Match.self))
        case Topic.matchWithdrawn: return .matchWithdrawn(try payload(Match.self))
        case Topic.notificationSent: return .notificationSent(try payload(NotificationEvent.self))
        case Topic.notificationFailed: return .notificationFailed(try payload(NotificationEvent.self))
        case Topic.notificationReply: return .notificationReply(try payload(NotificationReply.self))
        case _ where Topic.stream(of: topic) == Topic.heartbeatStream:
            let heartbeat = try payload(Heartbeat.self)
            guard Topic.heartbeat(source: heartbeat.source) == topic else {
                throw MessageError.invalidField(
                    field: MessageError.jsonPath(container.codingPath + [key]) + ".source",
                    reason: "\"\(heartbeat.source)\" does not match topic \"\(topic)\"")
            }
            return .heartbeat(heartbeat)
        default:
            return .unknown(topic: topic, payload: try payload(JSONValue.self))
        }
    }
}
