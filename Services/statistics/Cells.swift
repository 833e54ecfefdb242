/// What the service counts. Each measure has up to two categories (`k1`, `k2`) and a month.
enum Measure: String, Sendable, CaseIterable {
    // Offers (employers, not people): counted once they were open, in the month they opened.
    /// k1 destination country, k2 ISCO-08 sub-major group.
    case offers, positions
    /// k1 contract type.
    case offersByContract = "offers.contract"
    /// Open offers now: k1 country, k2 sub-major group; in the month the offer opened.
    case openPositions = "positions.open"
    /// Open positions without a good match: k1 country, k2 sub-major group.
    case unmetPositions = "positions.unmet"

    // Candidates who consented to statistics, in the month they registered.
    /// k1 region of origin (ISO 3166-2:ML), k2 gender.
    case candidates
    /// k1 country of residence.
    case candidatesByResidence = "candidates.residence"
    /// k1 age band at registration.
    case candidatesByAge = "candidates.age"
    /// k1 ISCO-08 sub-major group of the main (first) occupation.
    case candidatesByOccupation = "candidates.occupation"
    /// k1 ISCED level.
    case candidatesByEducation = "candidates.education"
    /// k1 language code: a person is counted once for each language they speak.
    case candidatesByLanguage = "candidates.language"
    /// Active (not withdrawn) candidates, k1 sub-major group of the main occupation.
    case supply

    // What becomes of the matches: k1 destination, k2 sub-major group, in the month it happened.
    case matches
    case notificationsSent = "notifications.sent"
    case repliesInterested = "replies.interested"
    case repliesDeclined = "replies.declined"
    case repliesStop = "replies.stop"

    // The funnel, by the month each person registered: k1 stage.
    case funnel
}

/// One aggregate count's address.
struct Cell: Hashable, Sendable {
    var measure: Measure
    var k1: String
    var k2: String
    var month: String

    init(_ measure: Measure, _ k1: String, _ k2: String = "", month: String) {
        (self.measure, self.k1, self.k2, self.month) = (measure, k1, k2, month)
    }

    /// A cell's categories without its month: what a query sums over months.
    struct Key: Hashable, Sendable {
        var k1: String
        var k2: String
    }
}

/// The stages of the funnel, in order.
enum FunnelStage: String, CaseIterable, Sendable {
    case registered, matched, notified, interested
}

/// Age bands at registration.
enum AgeBand {
    static let all = ["15-24", "25-34", "35-44", "45-54", "55+"]

    static func of(birthYear: Int, in year: Int) -> String {
        switch year - birthYear {
        case ..<25: "15-24"
        case 25..<35: "25-34"
        case 35..<45: "35-44"
        case 45..<55: "45-54"
        default: "55+"
        }
    }
}
