import Messages

/// A match as `GET /matches` and `PUT /matches/{offerId}/{candidateId}/follow-up` answer it:
/// the match (score and breakdown) and the officers' marks on it. The marks are the
/// matcher's own record (no bus event carries them); every field after `breakdown` is an
/// addition that older clients ignore.
struct FollowedMatch: Codable, Sendable, Equatable {
    var offerId: String
    var candidateId: String
    var score: Double
    var breakdown: [RuleScore]
    /// 1-based place among all of the offer's matches, whatever the filter (offer listings
    /// and the answer to a mark; absent from a candidate's listing).
    var rank: Int?
    var shortlisted: Bool
    var shortlistedAt: Timestamp?
    /// The officer who shortlisted (the one a portal key acts for, else the key's name).
    var shortlistedBy: String?
    var contacted: Bool
    var contactedAt: Timestamp?
    var contactedBy: String?
    /// The marks' version, 0 until the first mark; `PUT` may send it back (409 when stale).
    var version: Int
}

/// `PUT /matches/{offerId}/{candidateId}/follow-up`: the marks as they should be.
struct FollowUpChange: Codable, Sendable {
    var shortlisted: Bool
    var contacted: Bool
    /// The version the client read; a change made meanwhile makes this one stale (409).
    var version: Int?
}

/// One page of `GET /matches`: `matches` as before, plus where the page sits.
struct MatchPage: Codable, Sendable {
    let matches: [FollowedMatch]
    /// How many matches the query has in all (every page, the filter applied).
    let total: Int
    /// The page size asked for; absent when the whole list was asked for (no `limit`).
    let limit: Int?
    let offset: Int
}
