/// A verified international job offer: the payload of `offer.published`, `offer.updated`
/// and `offer.closed`.
///
/// Codes (`occupation` ISCO-08 unit group, `country` ISO 3166-1 alpha-2, ISO 4217
/// currency, ISO 639-1 languages) are carried as strings; checking them against the code
/// lists is the offer registry's job, not the schema's.
public struct Offer: Hashable, Sendable, Codable {
    public var id: String
    /// Short and typable on a phone, assigned by the registry when the offer is created:
    /// destination, year of start, number, e.g. `ES-2027-0042`. What SMS and officers quote.
    public var reference: String?
    public var title: String
    /// ISCO-08 unit group, four digits, e.g. `9211`.
    public var occupation: String
    /// Destination country, ISO 3166-1 alpha-2, e.g. `ES`.
    public var country: String
    public var city: String
    public var employer: Employer
    /// Number of people hired.
    public var positions: Int
    public var contract: ContractType
    public var startDate: LocalDate
    /// Absent for permanent contracts.
    public var endDate: LocalDate?
    public var applicationDeadline: LocalDate?
    public var salary: Salary
    public var requirements: Requirements
    public var conditions: Conditions
    /// Signals set by offer checks, e.g. fees charged to the worker.
    public var flags: [String]
    public var status: OfferStatus
    /// Revision number kept by the offer registry, 1 for the first publication.
    public var version: Int?
    /// Why an offer was closed (`offer.closed`), e.g. `positions-filled`.
    public var closedReason: String?
    /// When the offer first opened (set by the registry; absent from offers of earlier
    /// versions). Statistics count an offer in that month, whichever event they read it from.
    public var openedAt: Timestamp?

    public init(
        id: String, title: String, occupation: String, country: String, city: String, employer: Employer,
        positions: Int, contract: ContractType, startDate: LocalDate, endDate: LocalDate? = nil,
        applicationDeadline: LocalDate? = nil, salary: Salary, requirements: Requirements,
        conditions: Conditions, flags: [String] = [], status: OfferStatus, version: Int? = nil,
        closedReason: String? = nil, reference: String? = nil, openedAt: Timestamp? = nil
    ) {
        self.openedAt = openedAt
        self.reference = reference
        self.id = id
        self.title = title
        self.occupation = occupation
        self.country = country
        self.city = city
        self.employer = employer
        self.positions = positions
        self.contract = contract
        self.startDate = startDate
        self.endDate = endDate
        self.applicationDeadline = applicationDeadline
        self.salary = salary
        self.requirements = requirements
        self.conditions = conditions
        self.flags = flags
        self.status = status
        self.version = version
        self.closedReason = closedReason
    }
}

/// The hiring employer of an offer.
public struct Employer: Hashable, Sendable, Codable {
    public var name: String
    /// Company registration number in the destination country.
    public var registration: String

    public init(name: String, registration: String) {
        self.name = name
        self.registration = registration
    }
}

/// Gross pay: `amount` in `currency` (ISO 4217) per `period`.
public struct Salary: Hashable, Sendable, Codable {
    public var amount: Double
    public var currency: String
    public var period: SalaryPeriod

    public init(amount: Double, currency: String, period: SalaryPeriod) {
        self.amount = amount
        self.currency = currency
        self.period = period
    }
}

/// What an offer asks of candidates.
public struct Requirements: Hashable, Sendable, Codable {
    public var languages: [LanguageRequirement]
    /// Minimum ISCED 2011 level, 0...8.
    public var education: Int
    public var experienceYears: Int
    public var skills: [String]
    /// Driving licence categories, e.g. `B`, `C`.
    public var drivingLicences: [String]

    public init(
        languages: [LanguageRequirement] = [], education: Int = 0, experienceYears: Int = 0,
        skills: [String] = [], drivingLicences: [String] = []
    ) {
        self.languages = languages
        self.education = education
        self.experienceYears = experienceYears
        self.skills = skills
        self.drivingLicences = drivingLicences
    }
}

/// A language (ISO 639-1 `code`) at a CEFR `level`: the minimum in an offer's
/// requirements, the level held in a candidate's profile.
public struct LanguageRequirement: Hashable, Sendable, Codable {
    public var code: String
    public var level: CEFRLevel

    public init(code: String, level: CEFRLevel) {
        self.code = code
        self.level = level
    }
}

/// Working conditions that protect the worker.
public struct Conditions: Hashable, Sendable, Codable {
    /// The employer provides housing.
    public var housing: Bool
    /// The employer pays the journey.
    public var travelPaid: Bool
    /// Amount charged to the worker for the placement; legal offers charge 0.
    public var workerFees: Double

    public init(housing: Bool, travelPaid: Bool, workerFees: Double) {
        self.housing = housing
        self.travelPaid = travelPaid
        self.workerFees = workerFees
    }
}
