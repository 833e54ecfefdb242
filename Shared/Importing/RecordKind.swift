/// The two kinds of record the admin CLI creates, each with its registry resource and the
/// CSV columns an officer's spreadsheet may carry.
package enum RecordKind: String, Sendable, CaseIterable {
    case offer
    case candidate

    /// The collection resource records are POSTed to.
    package var resourcePath: String {
        switch self {
        case .offer: "/offers"
        case .candidate: "/candidates"
        }
    }

    /// French plural, for officers' messages.
    package var pluralFR: String {
        switch self {
        case .offer: "offres"
        case .candidate: "candidats"
        }
    }

    /// English plural.
    package var pluralEN: String {
        switch self {
        case .offer: "offers"
        case .candidate: "candidates"
        }
    }

    /// Every column this kind accepts, in the order `demo --write` writes them.
    package var columns: [FieldColumn] {
        switch self {
        case .offer: Self.offerColumns
        case .candidate: Self.candidateColumns
        }
    }

    private static let offerColumns: [FieldColumn] = [
        FieldColumn("id", .string),
        FieldColumn("title", .string),
        FieldColumn("occupation", .string),
        FieldColumn("country", .string),
        FieldColumn("city", .string),
        FieldColumn("employer.name", .string),
        FieldColumn("employer.registration", .string),
        FieldColumn("positions", .integer),
        FieldColumn("contract", .string),
        FieldColumn("startDate", .date),
        FieldColumn("endDate", .date),
        FieldColumn("applicationDeadline", .date),
        FieldColumn("salary.amount", .number),
        FieldColumn("salary.currency", .string),
        FieldColumn("salary.period", .string),
        FieldColumn("requirements.languages", .languageList),
        FieldColumn("requirements.education", .integer),
        FieldColumn("requirements.experienceYears", .integer),
        FieldColumn("requirements.skills", .stringList),
        FieldColumn("requirements.drivingLicences", .stringList),
        FieldColumn("conditions.housing", .boolean),
        FieldColumn("conditions.travelPaid", .boolean),
        FieldColumn("conditions.workerFees", .number),
    ]

    private static let candidateColumns: [FieldColumn] = [
        FieldColumn("id", .string),
        FieldColumn("name.given", .string),
        FieldColumn("name.family", .string),
        FieldColumn("gender", .string),
        FieldColumn("birthYear", .integer),
        FieldColumn("region", .string),
        FieldColumn("residence", .string),
        FieldColumn("contact.phone", .string),
        FieldColumn("contact.email", .string),
        FieldColumn("contact.preferredChannel", .string),
        FieldColumn("contact.language", .string),
        FieldColumn("occupations", .stringList),
        FieldColumn("experienceYears", .integer),
        FieldColumn("education", .integer),
        FieldColumn("languages", .languageList),
        FieldColumn("skills", .stringList),
        FieldColumn("drivingLicences", .stringList),
        FieldColumn("destinations", .stringList),
        FieldColumn("availableFrom", .date),
        FieldColumn("consent.matching", .boolean),
        FieldColumn("consent.notifications", .boolean),
        FieldColumn("consent.statistics", .boolean),
    ]
}

/// One CSV column: the record field it fills (a dotted JSON path) and how its cells convert.
package struct FieldColumn: Sendable, Hashable {
    package let path: String
    package let type: FieldType

    package init(_ path: String, _ type: FieldType) {
        self.path = path
        self.type = type
    }
}
