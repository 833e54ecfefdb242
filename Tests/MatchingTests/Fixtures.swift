import Matching
import Messages

/// A seasonal farm offer in Spain, and a candidate who fits it; tests change one thing at a time.
func makeOffer(
    occupation: String = "9211", country: String = "ES", positions: Int = 2,
    languages: [LanguageRequirement] = [LanguageRequirement(code: "es", level: .a2)], education: Int = 1,
    experienceYears: Int = 2, start: String = "2027-03-01", skills: [String] = ["Taille", "récolte"],
    licences: [String] = [], id: String = "offer-1"
) -> Offer {
    Offer(
        id: id, title: "Ouvrier agricole", occupation: occupation, country: country, city: "Huelva",
        employer: Employer(name: "Fresas del Sur", registration: "B1"), positions: positions, contract: .seasonal,
        startDate: try! LocalDate(start), salary: Salary(amount: 1260, currency: "EUR", period: .month),
        requirements: Requirements(
            languages: languages, education: education, experienceYears: experienceYears, skills: skills,
            drivingLicences: licences),
        conditions: Conditions(housing: true, travelPaid: true, workerFees: 0), status: .open)
}

func makeCandidate(
    id: String = "cand-1", occupations: [String] = ["9211"],
    languages: [LanguageRequirement] = [
        LanguageRequirement(code: "es", level: .b1), LanguageRequirement(code: "bm", level: .c2),
    ],
    education: Int = 2, experienceYears: Int = 3, destinations: [String] = ["ES"], available: String = "2027-01-01",
    skills: [String] = ["taille", "Récolte", "irrigation"], licences: [String] = ["B"], registeredAt: Int64 = 1_000,
    matching: Bool = true
) -> CandidateProfile {
    CandidateProfile(
        id: id, gender: .female, birthYear: 1995, region: "ML-3", residence: "ML", occupations: occupations,
        experienceYears: experienceYears, education: education, languages: languages, skills: skills,
        drivingLicences: licences, destinations: destinations, availableFrom: try! LocalDate(available),
        consent: Consent(
            matching: matching, notifications: true, statistics: true, givenAt: Timestamp(millisecondsSinceEpoch: 0)),
        registeredAt: Timestamp(millisecondsSinceEpoch: registeredAt))
}
