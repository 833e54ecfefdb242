import Messages

/// The body of `POST /offers` and `PUT /offers/{id}`: an Offer as an agency writes it.
///
/// `reference`, `status`, `flags`, `version`, `closedReason` and `openedAt` belong to the registry. They are accepted
/// so that a record read with `GET` can be edited and sent back, and otherwise ignored, except
/// `version` on `PUT`: when given, it must be the current one (optimistic concurrency).
struct OfferDraft: Codable, Sendable, Equatable {
    var id: String?
    var title: String
    var occupation: String
    var country: String
    var city: String
    var employer: EmployerDraft
    var positions: Int
    var contract: ContractType
    var startDate: LocalDate
    var endDate: LocalDate?
    var applicationDeadline: LocalDate?
    var salary: Salary
    var requirements: RequirementsDraft?
    var conditions: Conditions
    var flags: [String]?
    var status: OfferStatus?
    var version: Int?
    var closedReason: String?
    var reference: String?
    var openedAt: Timestamp?

    /// What identifies the request for idempotency: the content, not the registry's fields.
    var content: OfferDraft {
        var content = self
        content.flags = nil
        content.status = nil
        content.version = nil
        content.closedReason = nil
        content.reference = nil
        content.openedAt = nil
        return content
    }
}

/// The employer; a missing registration is not refused but flagged for review.
struct EmployerDraft: Codable, Sendable, Equatable {
    var name: String
    var registration: String?
}

/// Requirements; every part may be left out (no requirement).
struct RequirementsDraft: Codable, Sendable, Equatable {
    var languages: [LanguageRequirement]?
    var education: Int?
    var experienceYears: Int?
    var skills: [String]?
    var drivingLicences: [String]?
}

/// The body of `POST /offers/{id}/close` (optional).
struct CloseRequest: Codable, Sendable {
    var reason: String?
    /// Why, in the officer's words (at most 300 characters): kept in the audit log.
    var note: String?
}
