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

    public init(
        occupation: OccupationRule = OccupationRule(), occupationWeight: Double = 40, others: [WeightedRule],
        threshold: Double = 50
    ) {
        self.occupation = occupation
        self.occupationWeight = occupationWeight
        self.others = others
        self.threshold = threshold
        totalWeight = occupationWeight + others.reduce(0) { $0 + $1.weight }
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
    public func score(_ offer: OfferFeatures, _ candidate: CandidateFeatures) -> Double? {
        guard let occupationScore = occupation.evaluate(offer, candidate).value else { return nil }
        var sum = occupationWeight * occupationScore
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
