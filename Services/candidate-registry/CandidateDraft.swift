import Messages

/// The body of `POST /candidates` and `PUT /candidates/{id}`: a Candidate as the person or
/// an officer writes it. `registeredAt` and `consent.givenAt` belong to the registry: they
/// are accepted (a record read with `GET` can be sent back) and ignored.
struct CandidateDraft: Codable, Sendable, Equatable {
    var id: String?
    var name: PersonName
    var gender: Gender
    var birthYear: Int
    var region: String
    var residence: String
    var contact: Contact
    var occupations: [String]
    var experienceYears: Int
    var education: Int
    var languages: [LanguageRequirement]
    var skills: [String]?
    var drivingLicences: [String]?
    var destinations: [String]?
    var availableFrom: LocalDate
    var consent: ConsentDraft
    var registeredAt: Timestamp?

    /// What identifies the request for idempotency: the content, not the registry's fields.
    var content: CandidateDraft {
        var content = self
        content.registeredAt = nil
        content.consent.givenAt = nil
        return content
    }
}

/// Consent per purpose. Each is a yes or no; the registry records when each was given.
struct ConsentDraft: Codable, Sendable, Equatable {
    var matching: Bool
    var notifications: Bool
    var statistics: Bool
    var givenAt: Timestamp?
}

/// The body of `PUT /candidates/{id}/consent`: the purposes to change, the others kept.
struct ConsentChange: Codable, Sendable {
    var matching: Bool?
    var notifications: Bool?
    var statistics: Bool?
}

/// One purpose's consent as `GET /candidates/{id}/consent` shows it.
struct PurposeConsent: Codable, Sendable, Equatable {
    var granted: Bool
    /// When it was given or withdrawn.
    var at: Timestamp
    /// Who changed it: `registration`, `api` or `sms` (a STOP reply).
    var via: String
}
