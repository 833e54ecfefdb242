import Foundation
import Importing
import Messages
import SeededRandom

/// Realistic offers and candidates, the same for the same seed and day: the data
/// `passerelle demo` posts or writes.
struct DemoGenerator: Sendable {
    let seed: UInt64
    /// Dates are drawn from this day on: deadlines are in the future.
    let today: LocalDate

    /// The idempotency key of demo record `index`, so that a second run creates nothing new.
    func idempotencyKey(kind: RecordKind, index: Int) -> String { "demo-\(kind.rawValue)-\(seed)-\(index)" }

    func record(kind: RecordKind, index: Int) -> JSONValue {
        switch kind {
        case .offer: offer(index)
        case .candidate: candidate(index)
        }
    }

    // MARK: Offers

    func offer(_ index: Int) -> JSONValue {
        var rng = SplitMix64(seed: seed, stream: 1, index: index)
        let occupation = rng.weighted(DemoCatalogue.occupations.map { ($0, $0.offerWeight) })
        let country = rng.weighted(
            occupation.countries.compactMap { DemoCatalogue.countryByCode[$0] }.map { ($0, $0.weight) })
        let city = rng.element(of: country.cities)
        let contract = rng.element(of: occupation.contracts)

        let deadline = today.adding(days: rng.int(in: 14...90))
        let start = deadline.adding(days: rng.int(in: 10...60))
        let end: LocalDate? =
            switch contract {
            case "seasonal": start.adding(days: rng.int(in: 60...180))
            case "fixed-term": start.adding(days: rng.int(in: 180...730))
            case "apprenticeship": start.adding(days: rng.int(in: 365...1095))
            default: nil
            }
        let positions = contract == "seasonal" ? rng.int(in: 5...60) : rng.int(in: 1...12)
        let amount = Self.rounded(
            country.entryWage * occupation.pay * (0.95 + 0.3 * rng.unit()), to: country.rounding)

        // A few offers charge the worker a placement fee, so that the registry's check flags them.
        let fees: JSONValue =
            index % 20 == 7 ? Self.rounded(country.entryWage * (0.5 + rng.unit()), to: country.rounding) : .int(0)

        var languages: [JSONValue] = []
        if let language = country.languages.first {
            languages.append(Self.language(language.code, rng.element(of: language.levels)))
        }
        if occupation.isco == "2512", !languages.contains(where: { $0["code"] == .string("en") }) {
            languages.append(Self.language("en", "B2"))
        }
        let registration = country.registrationPrefix + String(100_000_000 + rng.below(900_000_000))

        var offer: [String: JSONValue] = [
            "title": .string("\(occupation.titleFR) — \(city)"),
            "occupation": .string(occupation.isco),
            "country": .string(country.code),
            "city": .string(city),
            "employer": .object([
                "name": .string("\(rng.element(of: occupation.employerWords)) \(city) \(country.legalForm)"),
                "registration": .string(registration),
            ]),
            "positions": .int(Int64(positions)),
            "contract": .string(contract),
            "startDate": .string(start.description),
            "applicationDeadline": .string(deadline.description),
            "salary": .object([
                "amount": amount, "currency": .string(country.currency), "period": .string(country.period),
            ]),
            "requirements": .object([
                "languages": .array(languages),
                "education": .int(Int64(rng.int(in: occupation.education))),
                "experienceYears": .int(Int64(rng.weighted([(0, 4), (1, 3), (2, 3), (3, 2), (5, 1)]))),
                "skills": .array(rng.distinct(rng.int(in: 1...2), of: occupation.skills).map { .string($0) }),
                "drivingLicences": .array(
                    (occupation.licences.isEmpty ? [] : rng.element(of: occupation.licences)).map { .string($0) }),
            ]),
            "conditions": .object([
                "housing": .bool(rng.chance(contract == "seasonal" ? 0.9 : 0.4)),
                "travelPaid": .bool(rng.chance(0.75)),
                "workerFees": fees,
            ]),
        ]
        if let end { offer["endDate"] = .string(end.description) }
        return .object(offer)
    }

    // MARK: Candidates

    func candidate(_ index: Int) -> JSONValue {
        var rng = SplitMix64(seed: seed, stream: 2, index: index)
        let gender = rng.weighted([("F", 47.0), ("M", 52.0), ("X", 1.0)])
        let given =
            switch gender {
            case "F": rng.element(of: DemoCatalogue.womenNames)
            case "M": rng.element(of: DemoCatalogue.menNames)
            default: rng.element(of: DemoCatalogue.womenNames + DemoCatalogue.menNames)
            }
        let family = rng.weighted(DemoCatalogue.familyNames)
        let age = rng.chance(0.7) ? rng.int(in: 19...35) : rng.int(in: 36...60)
        let region = rng.weighted(DemoCatalogue.regions)
        let residence =
            rng.chance(DemoCatalogue.abroadShare)
            ? rng.weighted(DemoCatalogue.residencesAbroad.map { ($0, $0.weight) }) : DemoCatalogue.mali

        var occupations = [rng.weighted(DemoCatalogue.occupations.map { ($0, $0.candidateWeight) })]
        if rng.chance(0.35) {
            let second = rng.weighted(DemoCatalogue.occupations.map { ($0, $0.candidateWeight) })
            if second.isco != occupations[0].isco { occupations.append(second) }
        }
        let education = max(rng.weighted(DemoCatalogue.educationLevels), occupations[0].education.lowerBound)
        let experienceCap = min(age - 16, 25)
        let experience = Int(Double(experienceCap + 1) * rng.unit() * rng.unit())

        var email: String?
        if rng.chance(education >= 4 ? 0.6 : 0.08) {
            email = "\(Self.ascii(given)).\(Self.ascii(family))\(index)@example.org"
        }
        let channel =
            if email != nil, rng.chance(0.5) { "email" } else if rng.chance(0.03) { "none" } else { "sms" }
        var contact: [String: JSONValue] = [
            "phone": .string(phone(residence, index: index, rng: &rng)),
            "preferredChannel": .string(channel),
            "language": .string(rng.weighted([("fr", 63.0), ("bm", 35.0), ("en", 2.0)])),
        ]
        if let email { contact["email"] = .string(email) }

        let skills = occupations.flatMap(\.skills)
        var licences: [String] = []
        if occupations.contains(where: { $0.isco == "8332" }) {
            licences = rng.element(of: [["B", "C"], ["B", "C", "CE"]])
        } else if occupations.contains(where: { $0.isco == "8322" }) || rng.chance(0.15) {
            licences = ["B"]
        }
        let destinations: [String] =
            rng.chance(0.4)
            ? [] : rng.distinct(rng.int(in: 1...3), of: DemoCatalogue.countries.map(\.code))

        let consentAll = rng.chance(0.9)
        return .object([
            "name": .object(["given": .string(given), "family": .string(family)]),
            "gender": .string(gender),
            "birthYear": .int(Int64(today.year - age)),
            "region": .string(region),
            "residence": .string(residence.country),
            "contact": .object(contact),
            "occupations": .array(occupations.map { .string($0.isco) }),
            "experienceYears": .int(Int64(experience)),
            "education": .int(Int64(education)),
            "languages": .array(languages(education: education, residence: residence.country, rng: &rng)),
            "skills": .array(rng.distinct(rng.int(in: 0...3), of: skills).map { .string($0) }),
            "drivingLicences": .array(licences.map { .string($0) }),
            "destinations": .array(destinations.map { .string($0) }),
            "availableFrom": .string(today.adding(days: rng.int(in: 0...150)).description),
            "consent": .object([
                "matching": .bool(consentAll || rng.chance(0.7)),
                "notifications": .bool(consentAll || rng.chance(0.5)),
                "statistics": .bool(consentAll || rng.chance(0.5)),
            ]),
        ])
    }

    /// Bambara for almost everyone, French by schooling, and some English, Arabic, Spanish.
    private func languages(education: Int, residence: String, rng: inout SplitMix64) -> [JSONValue] {
        let levels = ["A1", "A2", "B1", "B2", "C1", "C2"]
        var languages = [Self.language("bm", rng.chance(0.92) ? "C2" : rng.element(of: ["B1", "B2", "C1"]))]
        if education > 0 || rng.chance(0.4) {
            let level = min(max(education + rng.int(in: -1...1), 0), 4)
            languages.append(Self.language("fr", levels[level]))
        }
        if rng.chance(education >= 4 ? 0.5 : 0.08) {
            languages.append(Self.language("en", levels[rng.int(in: 0...3)]))
        }
        if rng.chance(0.08) { languages.append(Self.language("ar", levels[rng.int(in: 0...2)])) }
        if rng.chance(residence == "ES" ? 0.9 : 0.03) {
            languages.append(Self.language("es", levels[rng.int(in: 0...3)]))
        }
        return languages
    }

    /// A mobile number of `residence`; the subscriber digits are a permutation of `index`, so
    /// that no two candidates of one seed share a number.
    private func phone(_ residence: DemoCatalogue.Residence, index: Int, rng: inout SplitMix64) -> String {
        var modulus: UInt64 = 1
        for _ in 0..<residence.digits { modulus *= 10 }
        // 7_919 is prime and not 2 or 5: multiplying by it permutes 0..<10ⁿ.
        let scrambled = (UInt64(index) &* 7_919 &+ seed &* 104_729) % modulus
        let digits = String(scrambled)
        let padded = String(repeating: "0", count: residence.digits - digits.count) + digits
        return "+" + residence.dialCode + rng.element(of: residence.mobilePrefixes) + padded
    }

    static func language(_ code: String, _ level: String) -> JSONValue {
        .object(["code": .string(code), "level": .string(level)])
    }

    /// `value` rounded to a multiple of `step`, as a JSON integer when it is one.
    static func rounded(_ value: Double, to step: Double) -> JSONValue {
        let result = (value / step).rounded() * step
        if result == result.rounded(), abs(result) < 1e15 { return .int(Int64(result)) }
        return .double(result)
    }

    /// Lower-case ASCII for e-mail addresses: `Keïta` → `keita`.
    static func ascii(_ name: String) -> String {
        name.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil).lowercased()
            .filter { $0.isASCII && ($0.isLetter || $0.isNumber) }
    }
}
