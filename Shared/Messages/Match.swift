/// An offer and a candidate paired by the matcher, with an explained score: the payload
/// of `match.found` and `match.withdrawn`.
public struct Match: Hashable, Sendable {
    public var offerId: String
    public var candidateId: String
    /// 0...100.
    public var score: Double
    /// One entry per matching rule, explaining the score.
    public var breakdown: [RuleScore]
    /// Why a match was withdrawn (`match.withdrawn`), e.g. `offer-closed`.
    public var reason: String?

    public init(offerId: String, candidateId: String, score: Double, breakdown: [RuleScore], reason: String? = nil) {
        self.offerId = offerId
        self.candidateId = candidateId
        self.score = score
        self.breakdown = breakdown
        self.reason = reason
    }
}

extension Match: Codable {
    private enum CodingKeys: String, CodingKey {
        case offerId, candidateId, score, breakdown, reason
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        offerId = try container.decode(String.self, forKey: .offerId)
        candidateId = try container.decode(String.self, forKey: .candidateId)
        score = try container.decode(Double.self, forKey: .score)
        guard (0...100).contains(score) else {
            throw DecodingError.dataCorruptedError(
                forKey: .score, in: container, debugDescription: "score \(score) is outside 0...100")
        }
        breakdown = try container.decode([RuleScore].self, forKey: .breakdown)
        reason = try container.decodeIfPresent(String.self, forKey: .reason)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(offerId, forKey: .offerId)
        try container.encode(candidateId, forKey: .candidateId)
        try container.encode(score, forKey: .score)
        try container.encode(breakdown, forKey: .breakdown)
        try container.encodeIfPresent(reason, forKey: .reason)
    }
}

/// One rule's part of a match score.
public struct RuleScore: Hashable, Sendable, Codable {
    /// The rule's configured name, e.g. `occupation`.
    public var rule: String
    /// The rule's own score, 0...100.
    public var score: Double
    /// The rule's weight in the total.
    public var weight: Double
    /// Human-readable explanation, in French for officers.
    public var reason: String

    public init(rule: String, score: Double, weight: Double, reason: String) {
        self.rule = rule
        self.score = score
        self.weight = weight
        self.reason = reason
    }
}
