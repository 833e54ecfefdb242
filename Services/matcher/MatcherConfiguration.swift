import Foundation
import Matching
import ServiceKit

/// The matcher's settings, checked with errors that name the key.
enum MatcherConfiguration {
    static func ruleSet(_ settings: ServiceSettings) throws(SettingsError) -> RuleSet {
        let threshold = try settings.number("matching.threshold", default: 50, in: 0...100) ?? 50
        let occupationWeight = try settings.number("matching.occupationWeight", default: 40, in: 0...1_000) ?? 40
        guard let text = settings.value("matching.rules") else {
            return RuleSet(occupationWeight: occupationWeight, others: RuleSet.standard.others, threshold: threshold)
        }
        var others: [WeightedRule] = []
        for item in text.split(separator: ",") {
            let parts = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            var name = parts[0]
            let hard = name.hasSuffix("!")
            if hard { name.removeLast() }
            guard let rule = RuleSet.available[name] else {
                throw SettingsError.invalid(
                    key: "matching.rules",
                    reason: "unknown rule '\(name)'; known: \(RuleSet.available.keys.sorted().joined(separator: ", "))")
            }
            guard parts.count == 2, let weight = Double(parts[1]), weight >= 0 else {
                throw SettingsError.invalid(key: "matching.rules", reason: "'\(item)' is not rule=weight")
            }
            others.append(WeightedRule(rule, weight: weight, hard: hard))
        }
        return RuleSet(occupationWeight: occupationWeight, others: others, threshold: threshold)
    }

    static func policy(_ settings: ServiceSettings) throws(SettingsError) -> KeepPolicy {
        KeepPolicy(
            keepPerPosition: try settings.integer("matching.keepPerPosition", default: 3, in: 1...1_000),
            maxPerOffer: try settings.integer("matching.maxPerOffer", default: 1_000, in: 1...100_000))
    }
}
