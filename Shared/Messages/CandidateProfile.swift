/// A candidate without name and contact details: the payload of `candidate.registered`,
/// `candidate.updated`, `candidate.withdrawn` and `candidate.erased`.
///
/// This is what matching and statistics need; who the person is and how to reach them
/// travel only on `contact.` (see `ContactDetails`).
public struct CandidateProfile: Hashable, Sendable, Codable {
    public var id: String
    public var gender: Gender
    public var birthYear: Int
    /// Region of origin, ISO 3166-2:ML, e.g. `ML-BKO`.
    public var region: String
    /// Country of residence, ISO 3166-1 alpha-2 (`ML`, or abroad).
    public var residence: String
    /// ISCO-08 unit groups, most relevant first.
    public var occupations: [String]
    public var experienceYears: Int
    /// Highest ISCED 2011 level attained, 0...8.
    public var education: Int
    public var languages: [LanguageRequirement]
    public var skills: [String]
    public var drivingLicences: [String]
    /// Wished destination countries; empty means any.
    public var destinations: [String]
    public var availableFrom: LocalDate
    public var consent: Consent
    /// When the candidate was first registered.
    public var registeredAt: Timestamp?

    public init(
        id: String, gender: Gender, birthYear: Int, region: String, residence: String, occupations: [String],
        experienceYears: Int, education: Int, languages: [LanguageRequirement], skills: [String] = [],
        drivingLicences: [String] = [], destinations: [String] = [], availableFrom: LocalDate, consent: Consent,
        registeredAt: Timestamp? = nil
    ) {
        self.id = id
        self.gender = gender
        self.birthYear = birthYear
        self.region = region
        self.residence = residence
        self.occupations = occupations
        self.experienceYears = experienceYears
        self.education = education
        self.languages = languages
        self.skills = skills
        self.drivingLicences = drivingLicences
        self.destinations = destinations
        self.availableFrom = availableFrom
        self.consent = consent
        self.registeredAt = registeredAt
    }
}

/// What the candidate agreed to, and when.
public struct Consent: Hashable, Sendable, Codable {
    /// Being matched with offers.
    public var matching: Bool
    /// Being contacted about matches.
    public var notifications: Bool
    /// Being counted, anonymously, in statistics.
    public var statistics: Bool
    public var givenAt: Timestamp

    public init(matching: Bool, notifications: Bool, statistics: Bool, givenAt: Timestamp) {
        self.matching = matching
        self.notifications = notifications
        self.statistics = statistics
        self.givenAt = givenAt
    }
}
