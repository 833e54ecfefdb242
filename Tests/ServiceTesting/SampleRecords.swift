import Messages

// Records as the registries publish them, for tests of what reads them.

extension Offer {
    /// An open seasonal offer; tests change what they need.
    public static func sample(id: String, positions: Int = 2) -> Offer {
        Offer(
            id: id, title: "Ouvrier agricole", occupation: "9211", country: "ES", city: "Huelva",
            employer: Employer(name: "Fresas del Sur", registration: "B1"), positions: positions, contract: .seasonal,
            startDate: try! LocalDate("2027-03-01"), salary: Salary(amount: 1260, currency: "EUR", period: .month),
            requirements: Requirements(
                languages: [], education: 1, experienceYears: 0, skills: [], drivingLicences: []),
            conditions: Conditions(housing: true, travelPaid: true, workerFees: 0), status: .open)
    }
}

extension CandidateProfile {
    /// A candidate in Bamako who speaks French, consenting to everything; tests change what
    /// they need.
    public static func sample(_ id: String, experience: Int = 1, occupations: [String] = ["9211"]) -> CandidateProfile {
        CandidateProfile(
            id: id, gender: .female, birthYear: 1990, region: "ML-BKO", residence: "ML", occupations: occupations,
            experienceYears: experience, education: 2, languages: [LanguageRequirement(code: "fr", level: .b1)],
            availableFrom: try! LocalDate(year: 2027, month: 1, day: 1),
            consent: Consent(
                matching: true, notifications: true, statistics: true,
                givenAt: Timestamp(millisecondsSinceEpoch: 1_790_000_000_000)))
    }
}
