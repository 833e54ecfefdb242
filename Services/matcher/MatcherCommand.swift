import ArgumentParser
import Foundation
import GRDB
import Hummingbird
import Logging
import Matching
import Messages
import ServiceKit
import ServiceLifecycle

/// The matcher: pairs open offers with the candidates who consent to matching, with a score
/// anyone can read, and keeps each offer's best candidates.
@main
struct MatcherCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "matcher",
        abstract: "Mise en relation offres–candidats / Offer–candidate matching (HTTP :8083, replay :7130).")

    @OptionGroup var common: CommonOptions

    @Option(help: "Lowest score that makes a match, 0–100 (PASSERELLE_MATCHING_THRESHOLD; default 50).")
    var threshold: String?

    @Option(
        name: .customLong("keep-per-position"),
        help: "Candidates kept per position offered (PASSERELLE_MATCHING_KEEP_PER_POSITION; default 3).")
    var keepPerPosition: String?

    @Option(
        name: .customLong("max-per-offer"),
        help: "Most candidates kept for one offer (PASSERELLE_MATCHING_MAX_PER_OFFER; default 1000).")
    var maxPerOffer: String?

    @Option(
        help: """
            Rules in force and their weights, e.g. languages=15,experience=10 (occupation is always in force); \
            a rule ending in ! is hard: a score of 0 excludes (PASSERELLE_MATCHING_RULES).
            """)
    var rules: String?

    @Option(
        name: .customLong("occupation-weight"),
        help: "Weight of the occupation rule (PASSERELLE_MATCHING_OCCUPATION_WEIGHT; default 40).")
    var occupationWeight: String?

    func run() async throws {
        let settings = try await common.settings(
            for: .matcher,
            extra: [
                "matching.threshold": threshold, "matching.keepPerPosition": keepPerPosition,
                "matching.maxPerOffer": maxPerOffer, "matching.rules": rules,
                "matching.occupationWeight": occupationWeight,
            ])
        let ruleSet: RuleSet
        let policy: KeepPolicy
        do {
            ruleSet = try MatcherConfiguration.ruleSet(settings)
            policy = try MatcherConfiguration.policy(settings)
        } catch {
            throw ValidationError("\(error)")
        }
        let database = try ServiceDatabase(directory: settings.dataDirectory, name: "matcher") { migrator in
            MatcherStore.migrate(&migrator)
        }
        let runner = ServiceRunner(settings: settings)
        let publishing = try runner.publishing(database: database)
        let matcher = Matcher(
            rules: ruleSet, outbox: publishing.outbox, policy: policy, logger: runner.logger,
            health: runner.context.health)
        let started = ContinuousClock.now
        let loaded = try await database.pool.read { db in try matcher.rebuild(db) }
        runner.logger.info(
            "index rebuilt",
            metadata: [
                "offers": "\(loaded.offers)", "candidates": "\(loaded.candidates)", "matches": "\(loaded.matches)",
                "elapsed": "\(ContinuousClock.now - started)",
            ])
        let receiving = try runner.receiving(
            database: database,
            streams: [Topic.stream(of: Topic.offerPublished), Topic.stream(of: Topic.candidateRegistered)]
        ) { envelope, db in
            try matcher.apply(envelope, db)
        }
        runner.secureAPI([AccessRule(.get, "/matches", [.officer, .portal])], audit: database)
        MatchRoutes.add(to: runner.router, database: database)
        runner.context.health.report("index", .ok, "\(loaded.candidates) candidates, \(loaded.offers) open offers")
        runner.logger.info("matcher ready", metadata: ["threshold": "\(ruleSet.threshold)"])
        let checkpoint = ErasureCheckpoint(database: database, context: runner.context)
        try await runner.run(
            services: publishing.services + [
                receiving.service, ErasureRedaction(database: database, matcher: matcher, checkpoint: checkpoint),
                checkpoint,
            ])
    }
}

/// Finishes erasures: once the relay has published an erased person's last match.* event,
/// rewrites the person's match.* outbox rows without the person and checkpoints the WAL
/// (TRUNCATE), so that the id stays in no file; secure_delete zeroes the freed bytes.
struct ErasureRedaction: Service {
    let database: ServiceDatabase
    let matcher: Matcher
    let checkpoint: ErasureCheckpoint

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                var pending = true  // at start: an erasure may have been left half done
                while true {
                    try await Task.sleep(for: .milliseconds(200))
                    pending = matcher.takeErasureFlag() || pending
                    guard pending else { continue }
                    let (finished, waiting) = try await database.pool.write { db in
                        let finished = try MatcherStore.redactPublished(stream: Topic.stream(of: Topic.matchFound), db)
                        {
                            Matcher.redacted($0.payload)
                        }
                        return (finished, try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM pending_redactions") ?? 0)
                    }
                    pending = waiting > 0
                    guard finished > 0 else { continue }
                    await checkpoint.afterErasure()
                }
            }
        } catch is CancellationError {}
    }
}

/// `GET /matches?offer={id}` and `GET /matches?candidate={id}`: ranked, with breakdowns.
enum MatchRoutes {
    static func add(to router: Router<BasicRequestContext>, database: ServiceDatabase) {
        router.get("/matches") { request, _ -> Response in
            let query = QueryParameters(request)
            try query.only(["offer", "candidate"])
            let offer = query["offer"]
            let candidate = query["candidate"]
            guard (offer == nil) != (candidate == nil) else {
                throw APIError(
                    .badRequest, code: "invalid-parameter",
                    message: "offer ou candidate attendu, un seul / expected offer or candidate, exactly one",
                    field: offer == nil ? "offer" : "candidate")
            }
            let matches = try await database.pool.read { db in
                try MatcherStore.matches(offer: offer, candidate: candidate, db)
            }
            return APIBody.response(MatchList(matches: matches))
        }
    }
}

struct MatchList: Codable, Sendable {
    let matches: [Match]
}

/// The matcher's settings, checked with errors that name the key.
enum MatcherConfiguration {
    static func ruleSet(_ settings: ServiceSettings) throws -> RuleSet {
        let threshold = try number(settings, "matching.threshold", default: 50, range: 0...100)
        let occupationWeight = try number(settings, "matching.occupationWeight", default: 40, range: 0...1_000)
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

    static func policy(_ settings: ServiceSettings) throws -> KeepPolicy {
        KeepPolicy(
            keepPerPosition: Int(try number(settings, "matching.keepPerPosition", default: 3, range: 1...1_000)),
            maxPerOffer: Int(try number(settings, "matching.maxPerOffer", default: 1_000, range: 1...100_000)))
    }

    static func number(
        _ settings: ServiceSettings, _ key: String, default value: Double, range: ClosedRange<Double>
    )
        throws -> Double
    {
        guard let text = settings.value(key) else { return value }
        guard let number = Double(text), range.contains(number) else {
            throw SettingsError.invalid(
                key: key, reason: "'\(text)' is not a number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }
}
