import Messages
import SeededRandom

/// The bench's offers and candidates: each depends only on its number (and the count, for
/// its time), so that a record is the same whatever else was drawn.
extension StatsBenchWorkload {
    /// Destinations, weighted roughly as the demo data's offers are.
    static let countries: [(String, Double)] = [
        ("FR", 15), ("CA", 11), ("AE", 11), ("QA", 10), ("SA", 8), ("DE", 8), ("BE", 8), ("MA", 5), ("IT", 5),
        ("ES", 5), ("CI", 5), ("SN", 4), ("GA", 4),
    ]
    /// ISCO-08 unit groups offered abroad (the demo data's): 12 sub-major groups.
    static let occupations: [(String, Double)] = [
        ("9211", 10), ("6111", 6), ("7112", 6), ("7115", 4), ("9313", 7), ("5120", 5), ("5131", 4), ("9412", 4),
        ("5322", 4), ("3221", 2), ("8322", 5), ("8332", 3), ("7231", 3), ("7411", 3), ("7212", 2), ("2512", 1),
    ]
    /// Mali's regions, weighted by population (the demo data's weights).
    static let regions: [(String, Double)] = [
        ("ML-BKO", 4.2), ("ML-3", 2.0), ("ML-2", 2.3), ("ML-4", 2.0), ("ML-1", 1.6), ("ML-5", 1.3),
        ("ML-KOUTIALA", 1.0), ("ML-BOUGOUNI", 0.9), ("ML-SAN", 0.7), ("ML-KITA", 0.6), ("ML-DIOILA", 0.6),
        ("ML-BANDIAGARA", 0.5), ("ML-NIORO", 0.4), ("ML-6", 0.5), ("ML-7", 0.45), ("ML-DOUENTZA", 0.3),
        ("ML-NARA", 0.3), ("ML-9", 0.12), ("ML-8", 0.1), ("ML-10", 0.08),
    ]
    static let residencesAbroad = ["CI", "SN", "FR", "GA", "MR", "ES", "CG", "GN", "BF", "US"]
    static let otherLanguages: [(String, Double)] = [("fr", 6), ("ff", 2), ("ar", 1), ("en", 1), ("wo", 0.5)]

    static func offer(_ n: Int, of count: Int) -> Offer {
        var random = SplitMix64(seed: seed, stream: 1, index: n)
        let country = random.weighted(countries)
        let occupation = random.weighted(occupations)
        let contract = random.weighted([(ContractType.seasonal, 4), (.fixedTerm, 4), (.permanent, 2)])
        let period = random.weighted([(SalaryPeriod.month, 8), (.hour, 2)])
        let amount = period == .hour ? Double(random.int(in: 9...18)) : Double(random.int(in: 600...2_800))
        let opened = time(n, of: count)
        let start = LocalDate(Timestamp(millisecondsSinceEpoch: opened + 60 * 86_400_000))
        return Offer(
            id: offerId(n), title: "Offre \(n)", occupation: occupation, country: country, city: "Ville",
            employer: Employer(name: "Employeur \(n % 997)", registration: "R\(n % 997)"),
            positions: random.int(in: 1...20), contract: contract, startDate: start,
            salary: Salary(
                amount: amount, currency: ["FR", "DE", "BE", "IT", "ES"].contains(country) ? "EUR" : "USD",
                period: period),
            requirements: Requirements(
                languages: [], education: random.int(in: 0...3), experienceYears: random.int(in: 0...3), skills: [],
                drivingLicences: []),
            conditions: Conditions(housing: random.chance(0.6), travelPaid: random.chance(0.7), workerFees: 0),
            status: .open, reference: "BENCH-\(n)", openedAt: Timestamp(millisecondsSinceEpoch: opened))
    }

    /// About 90 % consent to statistics; a few say neither F nor M, so that some cells are small.
    static func candidate(_ n: Int, of count: Int) -> CandidateProfile {
        var random = SplitMix64(seed: seed, stream: 2, index: n)
        let registered = time(n, of: count)
        var occupations = [random.weighted(Self.occupations)]
        if random.chance(0.3) { occupations.append(random.weighted(Self.occupations)) }
        var languages = [LanguageRequirement(code: "bm", level: .c2)]
        if random.chance(0.6) {
            let code = random.weighted(otherLanguages)
            languages.append(LanguageRequirement(code: code, level: random.element(of: [.a2, .b1, .b2])))
        }
        return CandidateProfile(
            id: candidateId(n), gender: random.weighted([(Gender.female, 45), (.male, 54.9), (.unspecified, 0.1)]),
            birthYear: random.int(in: 1962...2007), region: random.weighted(regions),
            residence: random.chance(0.85) ? "ML" : random.element(of: residencesAbroad), occupations: occupations,
            experienceYears: random.int(in: 0...15),
            education: random.weighted([(0, 22), (1, 24), (2, 20), (3, 15), (4, 7), (5, 7), (6, 5)]),
            languages: languages,
            availableFrom: LocalDate(Timestamp(millisecondsSinceEpoch: registered + 30 * 86_400_000)),
            consent: Consent(
                matching: true, notifications: true, statistics: random.chance(0.9),
                givenAt: Timestamp(millisecondsSinceEpoch: registered)),
            registeredAt: Timestamp(millisecondsSinceEpoch: registered))
    }
}
