import Foundation
import Messages

/// A rule with its weight; `hard` turns a score of 0 into an exclusion.
public struct WeightedRule: Sendable {
    public let rule: any MatchingRule
    public let weight: Double
    public let hard: Bool

    public init(_ rule: any MatchingRule, weight: Double, hard: Bool = false) {
        self.rule = rule
        self.weight = weight
        self.hard = hard
    }
}

/// The rules in force, their weights and the threshold: the whole definition of a score.
///
/// score = 100 × Σ weightᵢ × scoreᵢ / Σ weightᵢ, rounded to 0.01; any exclusion means no match.
public struct RuleSet: Sendable {
    /// The occupation rule: always in force, since the index is built on it.
    public let occupation: OccupationRule
    public let occupationWeight: Double
    /// The other rules, in the order of the breakdown.
    public let others: [WeightedRule]
    /// The lowest score that makes a match (0–100).
    public let threshold: Double
    let totalWeight: Double
    /// The built-in rules, evaluated without dynamic dispatch (exclusions first); nil when a
    /// rule of another kind (a plugin) is in force, which then goes through `MatchingRule`.
    let fused: [Fused]?

    enum Kind { case destination, availability, licences, languages, education, experience, skills }

    struct Fused {
        let kind: Kind
        let weight: Double
        let hard: Bool
    }

    public init(
        occupation: OccupationRule = OccupationRule(), occupationWeight: Double = 40, others: [WeightedRule],
        threshold: Double = 50
    ) {
        self.occupation = occupation
        self.occupationWeight = occupationWeight
        self.others = others
        self.threshold = threshold
        totalWeight = occupationWeight + others.reduce(0) { $0 + $1.weight }
        var fused: [Fused] = []
        for weighted in others {
            let kind: Kind
            switch weighted.rule {
            case is DestinationRule: kind = .destination
            case is AvailabilityRule: kind = .availability
            case is LicencesRule: kind = .licences
            case is LanguagesRule: kind = .languages
            case is EducationRule: kind = .education
            case is ExperienceRule: kind = .experience
            case is SkillsRule: kind = .skills
            default:
                self.fused = nil
                return
            }
            fused.append(Fused(kind: kind, weight: weighted.weight, hard: weighted.hard))
        }
        // The rules that can exclude come first: a candidate they exclude costs nothing more.
        let excluding: [Kind] = [.destination, .availability, .licences]
        self.fused = fused.filter { excluding.contains($0.kind) } + fused.filter { !excluding.contains($0.kind) }
    }

    /// Every rule this build has, by name, for `matching.rules` in config.
    public static let available: [String: any MatchingRule] = Dictionary(
        uniqueKeysWithValues: ([
            LanguagesRule(), EducationRule(), ExperienceRule(), DestinationRule(), AvailabilityRule(),
            SkillsRule(), LicencesRule(),
        ] as [any MatchingRule]).map { ($0.name, $0) })

    /// The default weights: occupation 40, languages 15, experience 10, education 10, skills
    /// 10, destination 5, availability 5, driving licences 5.
    public static let standard = RuleSet(
        others: [
            WeightedRule(LanguagesRule(), weight: 15), WeightedRule(ExperienceRule(), weight: 10),
            WeightedRule(EducationRule(), weight: 10), WeightedRule(SkillsRule(), weight: 10),
            WeightedRule(DestinationRule(), weight: 5), WeightedRule(AvailabilityRule(), weight: 5),
            WeightedRule(LicencesRule(), weight: 5),
        ])

    /// The score of `candidate` for `offer`, or nil when a rule excludes it.
    @inline(__always)
    public func score(_ offer: borrowing OfferFeatures, _ candidate: borrowing CandidateFeatures) -> Double? {
        score(
            offer, candidate, level: OccupationRule.sharedLevel(offer.occupation, candidate.occupations),
            destinationChecked: false)
    }

    /// The score when the index already knows the occupation level (from the list the
    /// candidate was found on) and that the candidate accepts the offer's country: the built-in
    /// rules then need not read those parts of the candidate.
    @inline(__always)
    func score(
        _ offer: borrowing OfferFeatures, _ candidate: borrowing CandidateFeatures, level: Int, destinationChecked: Bool
    ) -> Double? {
        guard let occupationScore = occupation.score(level: level) else { return nil }
        var sum = occupationWeight * occupationScore
        if let fused {
            for rule in fused {
                let value: Double?
                switch rule.kind {
                case .destination: value = destinationChecked ? 1 : DestinationRule.value(offer, candidate)
                case .availability: value = AvailabilityRule.value(offer, candidate)
                case .licences: value = LicencesRule.value(offer, candidate)
                case .languages: value = LanguagesRule.value(offer, candidate)
                case .education: value = EducationRule.value(offer, candidate)
                case .experience: value = ExperienceRule.value(offer, candidate)
                case .skills: value = SkillsRule.value(offer, candidate)
                }
                guard let value, !(rule.hard && value == 0) else { return nil }
                sum += rule.weight * value
            }
            return Self.round(100 * sum / totalWeight)
        }
        return genericScore(offer, candidate, sum)
    }

    /// The same sum through the `MatchingRule` protocol, for rule sets with plugins (and for
    /// the test that the fused path computes the same).
    func genericScore(
        _ offer: borrowing OfferFeatures, _ candidate: borrowing CandidateFeatures, _ start: Double
    )
        -> Double?
    {
        let offer = copy offer
        let candidate = copy candidate
        var sum = start
        for weighted in others {
            guard let value = weighted.rule.evaluate(offer, candidate).value, !(weighted.hard && value == 0) else {
                return nil
            }
            sum += weighted.weight * value
        }
        return Self.round(100 * sum / totalWeight)
    }

    /// The highest score a candidate can reach when its best occupation shares `level` with
    /// the offer's (4 unit, 3 minor, 2 sub-major): the index skips whole lists below the
    /// lowest kept score.
    public func upperBound(level: Int) -> Double {
        guard let occupationScore = occupation.score(level: level) else { return 0 }
        return Self.round(100 * (occupationWeight * occupationScore + (totalWeight - occupationWeight)) / totalWeight)
    }

    /// Each rule's score, weight and reason (for kept matches only: reasons cost strings).
    public func breakdown(_ offer: OfferFeatures, _ candidate: CandidateFeatures) -> [RuleScore] {
        var rules: [(any MatchingRule, Double)] = [(occupation, occupationWeight)]
        rules += others.map { ($0.rule, $0.weight) }
        return rules.map { rule, weight in
            RuleScore(
                rule: rule.name, score: Self.round(100 * (rule.evaluate(offer, candidate).value ?? 0)), weight: weight,
                reason: rule.reason(offer, candidate))
        }
    }

    static func round(_ value: Double) -> Double { (value * 100).rounded() / 100 }
}
