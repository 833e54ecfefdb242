import CodeLists
import Foundation

/// What a rule says of one candidate for one offer.
public enum RuleOutcome: Sendable, Equatable {
    /// How well the candidate meets the rule, from 0 to 1.
    case score(Double)
    /// A hard requirement the candidate does not meet: no match.
    case exclude

    public var value: Double? { if case .score(let value) = self { value } else { nil } }
}

/// One criterion of matching, a plugin chosen by name in config (`matching.rules`).
///
/// `evaluate` runs for every plausible candidate of every offer: keep it to comparisons of
/// the compact features. `reason` runs only for the matches that are kept and shown.
public protocol MatchingRule: Sendable {
    /// The name in config and in a match's breakdown.
    var name: String { get }
    func evaluate(_ offer: OfferFeatures, _ candidate: CandidateFeatures) -> RuleOutcome
    /// Why, for a person: French, then English.
    func reason(_ offer: OfferFeatures, _ candidate: CandidateFeatures) -> String
}

/// Occupation by the ISCO-08 hierarchy: the same unit group scores best, then the same minor
/// group, then the same sub-major group; anything further excludes. The index is built on it.
public struct OccupationRule: MatchingRule {
    public let name = "occupation"
    public var unit = 1.0
    public var minor = 0.7
    public var subMajor = 0.4

    public init() {}

    /// The best level any of the candidate's occupations shares with `occupation`:
    /// 4 unit, 3 minor, 2 sub-major, 0 none.
    @inline(__always)
    public static func sharedLevel(_ occupation: Int16, _ candidate: borrowing [Int16]) -> Int {
        var best = 0
        for index in candidate.indices {
            let code = candidate[index]
            if code == occupation { return 4 }
            if code / 10 == occupation / 10 { best = 3 } else if best < 2 && code / 100 == occupation / 100 { best = 2 }
        }
        return best
    }

    public func score(level: Int) -> Double? {
        switch level {
        case 4: unit
        case 3: minor
        case 2: subMajor
        default: nil
        }
    }

    public func evaluate(_ offer: OfferFeatures, _ candidate: CandidateFeatures) -> RuleOutcome {
        score(level: Self.sharedLevel(offer.occupation, candidate.occupations)).map(RuleOutcome.score) ?? .exclude
    }

    public func reason(_ offer: OfferFeatures, _ candidate: CandidateFeatures) -> String {
        let wanted = Codes.iscoCode(offer.occupation)
        let title = CodeLists.isco[wanted]
        let best = candidate.occupations.max { lhs, rhs in
            Self.sharedLevel(offer.occupation, [lhs]) < Self.sharedLevel(offer.occupation, [rhs])
        }
        let mine = best.map(Codes.iscoCode) ?? "—"
        switch Self.sharedLevel(offer.occupation, candidate.occupations) {
        case 4:
            return "même métier CITP \(wanted) (\(title?.titleFR ?? wanted)) / same ISCO unit group \(wanted) "
                + "(\(title?.titleEN ?? wanted))"
        case 3:
            let group = CodeLists.isco[String(wanted.prefix(3))]
            return "métier voisin \(mine), même sous-groupe \(wanted.prefix(3)) (\(group?.titleFR ?? "")) / "
                + "related occupation \(mine), same minor group (\(group?.titleEN ?? ""))"
        case 2:
            let group = CodeLists.isco[String(wanted.prefix(2))]
            return "métier \(mine) du même sous-grand groupe \(wanted.prefix(2)) (\(group?.titleFR ?? "")) / "
                + "occupation \(mine) in the same sub-major group (\(group?.titleEN ?? ""))"
        default:
            return "aucun métier proche de \(wanted) / no occupation close to \(wanted)"
        }
    }
}

/// Languages with CEFR levels: each required language met scores 1, one level short 0.5,
/// more than one level short or absent 0; the rule's score is the average.
public struct LanguagesRule: MatchingRule {
    public let name = "languages"
    public init() {}

    public func evaluate(_ offer: OfferFeatures, _ candidate: CandidateFeatures) -> RuleOutcome {
        .score(Self.value(offer, candidate))
    }

    @inline(__always)
    static func value(_ offer: borrowing OfferFeatures, _ candidate: borrowing CandidateFeatures) -> Double {
        guard !offer.languages.isEmpty else { return 1 }
        var total = 0.0
        for required in offer.languages {
            var held: Int8 = 0
            for index in candidate.languages.indices where candidate.languages[index].code == required.code {
                held = candidate.languages[index].level
            }
            if held >= required.level { total += 1 } else if held > 0 && held == required.level - 1 { total += 0.5 }
        }
        return total / Double(offer.languages.count)
    }

    public func reason(_ offer: OfferFeatures, _ candidate: CandidateFeatures) -> String {
        guard !offer.languages.isEmpty else { return "aucune langue exigée / no language required" }
        let parts = offer.languages.map { required -> (String, String) in
            let code = Codes.unpair(required.code).lowercased()
            let held = candidate.languages.first { $0.code == required.code }?.level ?? 0
            let wanted = Self.cefr(required.level)
            if held == 0 { return ("\(code) \(wanted) : non parlée", "\(code) \(wanted): not spoken") }
            let verdict = held >= required.level ? ("atteint", "met") : ("insuffisant", "short")
            return (
                "\(code) \(wanted) : \(Self.cefr(held)) \(verdict.0)",
                "\(code) \(wanted): \(Self.cefr(held)) \(verdict.1)"
            )
        }
        return parts.map(\.0).joined(separator: ", ") + " / " + parts.map(\.1).joined(separator: ", ")
    }

    static func cefr(_ level: Int8) -> String {
        ["—", "A1", "A2", "B1", "B2", "C1", "C2"][Int(max(0, min(6, level)))]
    }
}

/// ISCED 2011 level: at or above the requirement scores 1, one level below 0.5, else 0.
public struct EducationRule: MatchingRule {
    public let name = "education"
    public init() {}

    public func evaluate(_ offer: OfferFeatures, _ candidate: CandidateFeatures) -> RuleOutcome {
        .score(Self.value(offer, candidate))
    }

    @inline(__always)
    static func value(_ offer: borrowing OfferFeatures, _ candidate: borrowing CandidateFeatures) -> Double {
        if candidate.education >= offer.education { return 1 }
        return candidate.education == offer.education - 1 ? 0.5 : 0
    }

    public func reason(_ offer: OfferFeatures, _ candidate: CandidateFeatures) -> String {
        guard offer.education > 0 else { return "aucun niveau d’études exigé / no education level required" }
        return "CITE \(candidate.education) pour CITE \(offer.education) exigé / ISCED \(candidate.education) "
            + "for ISCED \(offer.education) required"
    }
}

/// Years of experience: enough scores 1, fewer in proportion.
public struct ExperienceRule: MatchingRule {
    public let name = "experience"
    public init() {}

    public func evaluate(_ offer: OfferFeatures, _ candidate: CandidateFeatures) -> RuleOutcome {
        .score(Self.value(offer, candidate))
    }

    @inline(__always)
    static func value(_ offer: borrowing OfferFeatures, _ candidate: borrowing CandidateFeatures) -> Double {
        guard offer.experienceYears > 0, candidate.experienceYears < offer.experienceYears else { return 1 }
        return Double(candidate.experienceYears) / Double(offer.experienceYears)
    }

    public func reason(_ offer: OfferFeatures, _ candidate: CandidateFeatures) -> String {
        guard offer.experienceYears > 0 else { return "aucune expérience exigée / no experience required" }
        return "\(candidate.experienceYears) an(s) d’expérience pour \(offer.experienceYears) demandé(s) / "
            + "\(candidate.experienceYears) year(s) of experience for \(offer.experienceYears) asked"
    }
}

/// The candidate's wish: an offer in a country the candidate did not choose excludes; no
/// stated destination means anywhere.
public struct DestinationRule: MatchingRule {
    public let name = "destination"
    public init() {}

    public func evaluate(_ offer: OfferFeatures, _ candidate: CandidateFeatures) -> RuleOutcome {
        Self.value(offer, candidate).map(RuleOutcome.score) ?? .exclude
    }

    @inline(__always)
    static func value(_ offer: borrowing OfferFeatures, _ candidate: borrowing CandidateFeatures) -> Double? {
        candidate.accepts(country: offer.country) ? 1 : nil
    }

    public func reason(_ offer: OfferFeatures, _ candidate: CandidateFeatures) -> String {
        let country = Codes.unpair(offer.country)
        let name = CodeLists.countries[country]
        if candidate.destinations.isEmpty {
            return "toute destination acceptée (\(name?.nameFR ?? country)) / any destination accepted"
        }
        return candidate.accepts(country: offer.country)
            ? "\(name?.nameFR ?? country) fait partie des destinations souhaitées / \(name?.nameEN ?? country) is a wished destination"
            : "\(name?.nameFR ?? country) n’est pas souhaité / \(name?.nameEN ?? country) is not wished"
    }
}

/// Availability before the start date: available by then scores 1, within `graceDays` after
/// it 0.5, later excludes.
public struct AvailabilityRule: MatchingRule {
    public let name = "availability"
    public static let graceDays: Int32 = 30
    public init() {}

    public func evaluate(_ offer: OfferFeatures, _ candidate: CandidateFeatures) -> RuleOutcome {
        Self.value(offer, candidate).map(RuleOutcome.score) ?? .exclude
    }

    @inline(__always)
    static func value(_ offer: borrowing OfferFeatures, _ candidate: borrowing CandidateFeatures) -> Double? {
        if candidate.availableFrom <= offer.startDate { return 1 }
        return candidate.availableFrom <= offer.startDate + graceDays ? 0.5 : nil
    }

    public func reason(_ offer: OfferFeatures, _ candidate: CandidateFeatures) -> String {
        let from = Self.date(candidate.availableFrom)
        let start = Self.date(offer.startDate)
        if candidate.availableFrom <= offer.startDate {
            return
                "disponible dès le \(from), avant le début le \(start) / available from \(from), before the start on \(start)"
        }
        return "disponible le \(from), après le début le \(start) / available on \(from), after the start on \(start)"
    }

    static func date(_ days: Int32) -> String {
        ISO8601DateFormatter.string(
            from: Date(timeIntervalSince1970: Double(days) * 86_400), timeZone: .gmt, formatOptions: [.withFullDate])
    }
}

/// Required skills: the share of them the candidate has (case and accents ignored).
public struct SkillsRule: MatchingRule {
    public let name = "skills"
    public init() {}

    public func evaluate(_ offer: OfferFeatures, _ candidate: CandidateFeatures) -> RuleOutcome {
        .score(Self.value(offer, candidate))
    }

    @inline(__always)
    static func value(_ offer: borrowing OfferFeatures, _ candidate: borrowing CandidateFeatures) -> Double {
        guard !offer.skills.isEmpty else { return 1 }
        var held = 0
        for skill in offer.skills {
            for index in candidate.skills.indices where candidate.skills[index] == skill {
                held += 1
                break
            }
        }
        return Double(held) / Double(offer.skills.count)
    }

    public func reason(_ offer: OfferFeatures, _ candidate: CandidateFeatures) -> String {
        guard !offer.skills.isEmpty else { return "aucune compétence exigée / no skill required" }
        let held = offer.skills.filter(candidate.skills.contains)
        let missing = offer.skills.filter { !candidate.skills.contains($0) }.map(Codes.skillName)
        return "\(held.count) compétence(s) sur \(offer.skills.count)"
            + (missing.isEmpty ? "" : ", manque : \(missing.joined(separator: ", "))")
            + " / \(held.count) of \(offer.skills.count) skills"
            + (missing.isEmpty ? "" : ", missing: \(missing.joined(separator: ", "))")
    }
}

/// Driving licences are a legal requirement: every category asked must be held.
public struct LicencesRule: MatchingRule {
    public let name = "drivingLicences"
    public init() {}

    public func evaluate(_ offer: OfferFeatures, _ candidate: CandidateFeatures) -> RuleOutcome {
        Self.value(offer, candidate).map(RuleOutcome.score) ?? .exclude
    }

    @inline(__always)
    static func value(_ offer: borrowing OfferFeatures, _ candidate: borrowing CandidateFeatures) -> Double? {
        offer.licences & ~candidate.licences == 0 ? 1 : nil
    }

    public func reason(_ offer: OfferFeatures, _ candidate: CandidateFeatures) -> String {
        guard offer.licences != 0 else { return "aucun permis exigé / no driving licence required" }
        let missing = Codes.licences(offer.licences & ~candidate.licences)
        return missing.isEmpty
            ? "permis \(Codes.licences(offer.licences).joined(separator: ", ")) détenu(s) / licences held"
            : "permis manquant(s) : \(missing.joined(separator: ", ")) / missing licences: \(missing.joined(separator: ", "))"
    }
}
