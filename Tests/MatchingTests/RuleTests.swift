import Matching
import Messages
import Testing

/// One row of a rule's table: an offer, a candidate, and what the rule must say.
struct RuleCase: Sendable, CustomTestStringConvertible {
    let label: String
    let offer: Offer
    let candidate: CandidateProfile
    let expected: RuleOutcome
    /// Words the reason must contain (French part).
    let reasonContains: String

    var testDescription: String { label }

    /// The base offer and candidate, unchanged.
    init(_ label: String, _ expected: RuleOutcome, reason: String) {
        self.init(label, makeOffer(), makeCandidate(), expected, reason: reason)
    }

    init(_ label: String, _ offer: Offer, _ candidate: CandidateProfile, _ expected: RuleOutcome, reason: String) {
        self.label = label
        self.offer = offer
        self.candidate = candidate
        self.expected = expected
        self.reasonContains = reason
    }
}

func check(_ rule: any MatchingRule, _ row: RuleCase) {
    let offer = OfferFeatures(row.offer)
    let candidate = CandidateFeatures(row.candidate)
    #expect(rule.evaluate(offer, candidate) == row.expected, "\(row.label)")
    let reason = rule.reason(offer, candidate)
    #expect(reason.contains(row.reasonContains), "\(row.label): \(reason)")
    #expect(reason.contains(" / "), "\(row.label): French, then English: \(reason)")
}

@Suite("Matching rules: each as a table of match, partial, exclude and missing data")
struct RuleTests {
    @Test(
        "occupation by the ISCO-08 hierarchy",
        arguments: [
            RuleCase("same unit group", .score(1), reason: "même métier CITP 9211"),
            RuleCase(
                "same minor group", makeOffer(), makeCandidate(occupations: ["9212"]), .score(0.7),
                reason: "même sous-groupe 921"),
            RuleCase(
                "same sub-major group", makeOffer(occupation: "6111"), makeCandidate(occupations: ["6121"]),
                .score(0.4),
                reason: "même sous-grand groupe 61"),
            RuleCase(
                "another sub-major group", makeOffer(occupation: "9211"), makeCandidate(occupations: ["9312"]),
                .exclude,
                reason: "aucun métier"),
            RuleCase(
                "best of several", makeOffer(), makeCandidate(occupations: ["7112", "9211"]), .score(1),
                reason: "même métier"),
            RuleCase(
                "unrelated", makeOffer(), makeCandidate(occupations: ["2512"]), .exclude, reason: "aucun métier proche"),
            RuleCase(
                "no occupation (missing data)", makeOffer(), makeCandidate(occupations: []), .exclude,
                reason: "aucun métier"),
        ])
    func occupation(row: RuleCase) { check(OccupationRule(), row) }

    @Test(
        "languages with CEFR levels",
        arguments: [
            RuleCase("level met", .score(1), reason: "es A2 : B1 atteint"),
            RuleCase(
                "one level short", makeOffer(languages: [LanguageRequirement(code: "es", level: .b2)]), makeCandidate(),
                .score(0.5), reason: "insuffisant"),
            RuleCase(
                "not spoken", makeOffer(languages: [LanguageRequirement(code: "de", level: .a1)]), makeCandidate(),
                .score(0),
                reason: "non parlée"),
            RuleCase(
                "two asked, one met",
                makeOffer(languages: [
                    LanguageRequirement(code: "es", level: .a2), LanguageRequirement(code: "fr", level: .b1),
                ]),
                makeCandidate(), .score(0.5), reason: "fr B1 : non parlée"),
            RuleCase(
                "none asked (missing data)", makeOffer(languages: []), makeCandidate(), .score(1),
                reason: "aucune langue"),
        ])
    func languages(row: RuleCase) { check(LanguagesRule(), row) }

    @Test(
        "ISCED education level",
        arguments: [
            RuleCase("above", .score(1), reason: "CITE 2 pour CITE 1"),
            RuleCase(
                "one below", makeOffer(education: 3), makeCandidate(education: 2), .score(0.5),
                reason: "CITE 2 pour CITE 3"),
            RuleCase(
                "far below", makeOffer(education: 6), makeCandidate(education: 1), .score(0),
                reason: "CITE 1 pour CITE 6"),
            RuleCase(
                "none asked (missing data)", makeOffer(education: 0), makeCandidate(education: 0), .score(1),
                reason: "aucun niveau"),
        ])
    func education(row: RuleCase) { check(EducationRule(), row) }

    @Test(
        "years of experience",
        arguments: [
            RuleCase("enough", .score(1), reason: "3 an(s)"),
            RuleCase(
                "half", makeOffer(experienceYears: 4), makeCandidate(experienceYears: 2), .score(0.5), reason: "2 an(s)"
            ),
            RuleCase(
                "none", makeOffer(experienceYears: 4), makeCandidate(experienceYears: 0), .score(0), reason: "0 an(s)"),
            RuleCase(
                "none asked (missing data)", makeOffer(experienceYears: 0), makeCandidate(), .score(1),
                reason: "aucune expérience"),
        ])
    func experience(row: RuleCase) { check(ExperienceRule(), row) }

    @Test(
        "destination wish",
        arguments: [
            RuleCase("wished", .score(1), reason: "Espagne fait partie"),
            RuleCase(
                "one of several", makeOffer(), makeCandidate(destinations: ["FR", "ES"]), .score(1), reason: "Espagne"),
            RuleCase(
                "not wished", makeOffer(country: "CA"), makeCandidate(), .exclude, reason: "Canada n’est pas souhaité"),
            RuleCase(
                "no wish stated (missing data)", makeOffer(), makeCandidate(destinations: []), .score(1),
                reason: "toute destination"),
        ])
    func destination(row: RuleCase) { check(DestinationRule(), row) }

    @Test(
        "availability before the start date",
        arguments: [
            RuleCase("available before", .score(1), reason: "disponible dès le 2027-01-01"),
            RuleCase(
                "on the day", makeOffer(start: "2027-01-01"), makeCandidate(), .score(1), reason: "disponible dès"),
            RuleCase(
                "two weeks late", makeOffer(), makeCandidate(available: "2027-03-15"), .score(0.5),
                reason: "après le début"),
            RuleCase(
                "months late", makeOffer(), makeCandidate(available: "2027-06-01"), .exclude, reason: "après le début"),
        ])
    func availability(row: RuleCase) { check(AvailabilityRule(), row) }

    @Test(
        "required skills, case and accents ignored",
        arguments: [
            RuleCase("all held", .score(1), reason: "2 compétence(s) sur 2"),
            RuleCase(
                "half held", makeOffer(skills: ["taille", "conduite de tracteur"]), makeCandidate(), .score(0.5),
                reason: "manque : conduite de tracteur"),
            RuleCase(
                "none held", makeOffer(skills: ["soudure"]), makeCandidate(), .score(0), reason: "0 compétence(s) sur 1"
            ),
            RuleCase(
                "none asked (missing data)", makeOffer(skills: []), makeCandidate(skills: []), .score(1),
                reason: "aucune compétence"),
        ])
    func skills(row: RuleCase) { check(SkillsRule(), row) }

    @Test(
        "driving licences are a hard requirement",
        arguments: [
            RuleCase("held", makeOffer(licences: ["B"]), makeCandidate(), .score(1), reason: "permis B détenu"),
            RuleCase(
                "more than asked", makeOffer(licences: ["B"]), makeCandidate(licences: ["B", "C", "CE"]), .score(1),
                reason: "détenu"),
            RuleCase(
                "one missing", makeOffer(licences: ["B", "CE"]), makeCandidate(), .exclude,
                reason: "permis manquant(s) : CE"),
            RuleCase(
                "none held (missing data)", makeOffer(licences: ["C"]), makeCandidate(licences: []), .exclude,
                reason: "manquant"),
            RuleCase(
                "none asked", makeOffer(licences: []), makeCandidate(licences: []), .score(1), reason: "aucun permis"),
        ])
    func licences(row: RuleCase) { check(LicencesRule(), row) }
}
