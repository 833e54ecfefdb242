import Foundation
import Matching
import Messages
import SeededRandom

extension SplitMix64 {
    /// One of `items`, each as likely as its weight, drawn with `Double.random(in:using:)`:
    /// not SplitMix64's own `weighted(_:)`, which maps a draw to [0, 1) from other bits, so
    /// that the same seed still gives the data every earlier run measured.
    mutating func weightedDraw<T>(_ items: [(T, Double)]) -> T {
        let total = items.reduce(0) { $0 + $1.1 }
        var draw = Double.random(in: 0..<total, using: &self)
        for (item, weight) in items {
            draw -= weight
            if draw < 0 { return item }
        }
        return items[items.count - 1].0
    }
}

/// Synthetic but realistic data: the trades Malians are recruited for, skewed as the demo
/// data is (farm work and building far ahead of software), a dozen destinations, and
/// requirements of the kind agencies write.
enum Synthetic {
    /// ISCO-08 unit groups with a weight (Zipf-like: a few trades hold most candidates).
    static let occupations: [(String, Double)] = {
        let codes = [
            "9211", "6111", "7112", "9313", "5120", "9412", "8322", "7115", "5322", "9312", "6121", "7411", "7231",
            "7212", "8332", "9329", "5131", "7126", "9212", "7113", "5321", "3221", "7119", "9622", "8342", "7233",
            "7131", "9112", "7512", "5414", "6112", "9215", "7214", "8341", "7127", "2512", "3115", "2221", "7421",
            "5141",
        ]
        return codes.enumerated().map { ($0.element, 1 / pow(Double($0.offset + 1), 1.1)) }
    }()

    static let countries: [(String, Double)] = [
        ("FR", 20), ("ES", 18), ("IT", 10), ("CA", 8), ("DE", 6), ("BE", 5), ("QA", 8), ("SA", 7), ("AE", 7),
        ("MA", 4), ("CI", 4), ("SN", 3),
    ]
    static let languageCodes = ["fr", "en", "es", "ar", "de", "it"]
    static let levels: [CEFRLevel] = [.a1, .a2, .b1, .b2, .c1, .c2]
    static let skills = [
        "taille", "récolte", "irrigation", "coffrage", "maçonnerie", "carrelage", "soudure", "conduite poids lourd",
        "cuisine", "service en salle", "ménage", "soins aux personnes", "électricité bâtiment", "plomberie",
        "mécanique auto", "informatique", "caisse", "manutention", "peinture", "élevage",
    ]

    static func candidate(_ number: Int, _ rng: inout SplitMix64) -> CandidateProfile {
        var occupations = [rng.weightedDraw(Self.occupations)]
        if Double.random(in: 0..<1, using: &rng) < 0.35 {
            let second = rng.weightedDraw(Self.occupations)
            if second != occupations[0] { occupations.append(second) }
        }
        var languages = [LanguageRequirement(code: "bm", level: .c2)]
        if Double.random(in: 0..<1, using: &rng) < 0.8 {
            languages.append(LanguageRequirement(code: "fr", level: levels[Int.random(in: 1...4, using: &rng)]))
        }
        if Double.random(in: 0..<1, using: &rng) < 0.25 {
            let code = languageCodes[Int.random(in: 1..<languageCodes.count, using: &rng)]
            languages.append(LanguageRequirement(code: code, level: levels[Int.random(in: 0...3, using: &rng)]))
        }
        var destinations: [String] = []
        if Double.random(in: 0..<1, using: &rng) < 0.6 {
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                let country = rng.weightedDraw(countries)
                if !destinations.contains(country) { destinations.append(country) }
            }
        }
        return CandidateProfile(
            id: String(format: "c%07d", number), gender: Bool.random(using: &rng) ? .female : .male,
            birthYear: Int.random(in: 1966...2007, using: &rng), region: "ML-BKO", residence: "ML",
            occupations: occupations, experienceYears: Int.random(in: 0...15, using: &rng),
            education: rng.weightedDraw([(0, 22), (1, 24), (2, 20), (3, 15), (4, 7), (5, 7), (6, 5)]),
            languages: languages,
            skills: distinct((0..<Int.random(in: 0...3, using: &rng)).map { _ in skills.randomElement(using: &rng)! }),
            drivingLicences: Double.random(in: 0..<1, using: &rng) < 0.25 ? ["B"] : [],
            destinations: destinations,
            availableFrom: date(daysFromBase: Int.random(in: 0...240, using: &rng)),
            consent: Consent(
                matching: true, notifications: true, statistics: true, givenAt: Timestamp(millisecondsSinceEpoch: 0)),
            registeredAt: Timestamp(millisecondsSinceEpoch: 1_700_000_000_000 + Int64(number) * 1_000))
    }

    static func offer(_ number: Int, _ rng: inout SplitMix64) -> Offer {
        let country = rng.weightedDraw(countries)
        let language =
            country == "FR" || country == "BE" || country == "CA" || country == "CI" || country == "SN"
                || country == "MA"
            ? "fr" : (country == "ES" ? "es" : (country == "IT" ? "it" : (country == "DE" ? "de" : "en")))
        let requirements = Requirements(
            languages: Double.random(in: 0..<1, using: &rng) < 0.7
                ? [LanguageRequirement(code: language, level: levels[Int.random(in: 0...3, using: &rng)])] : [],
            education: rng.weightedDraw([(0, 50), (1, 20), (2, 15), (3, 10), (4, 5)]),
            experienceYears: Int.random(in: 0...5, using: &rng),
            skills: distinct((0..<Int.random(in: 0...2, using: &rng)).map { _ in skills.randomElement(using: &rng)! }),
            drivingLicences: Double.random(in: 0..<1, using: &rng) < 0.1 ? ["B"] : [])
        return Offer(
            id: String(format: "o%06d", number), title: "Offre \(number)", occupation: rng.weightedDraw(occupations),
            country: country, city: "Ville",
            employer: Employer(name: "Employeur \(number % 500)", registration: "R\(number)"),
            positions: rng.weightedDraw([(1, 30), (2, 20), (5, 20), (10, 15), (20, 10), (50, 5)]), contract: .seasonal,
            startDate: date(daysFromBase: Int.random(in: 60...300, using: &rng)),
            salary: Salary(amount: 1_200, currency: "EUR", period: .month), requirements: requirements,
            conditions: Conditions(housing: true, travelPaid: true, workerFees: 0), status: .open)
    }

    /// The items in their first order, each once.
    static func distinct(_ items: [String]) -> [String] {
        var seen: Set<String> = []
        return items.filter { seen.insert($0).inserted }
    }

    static let base = try! LocalDate("2027-01-01")
    static func date(daysFromBase days: Int) -> LocalDate { base.adding(days: days) }
}
