import ArgumentParser
import Foundation
import GRDB
import Hummingbird
import Logging
import Matching
import Messages
import ServiceKit

/// The matcher: pairs open offers with the candidates who consent to matching, with a score
/// anyone can read, and keeps each offer's best candidates.
@main
struct MatcherCommand: ServiceCommand {
    static let configuration = CommandConfiguration(
        commandName: "matcher",
        abstract: "Mise en relation offres–candidats / Offer–candidate matching (HTTP :8083, replay :7130).")

    static let identity = ServiceIdentity(
        name: "matcher", defaultHTTP: "127.0.0.1:8083", defaultReplay: "tcp://127.0.0.1:7130",
        openAPI: PackageResources.openapi_yaml)

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

    var serviceFlags: [String: String?] {
        [
            "matching.threshold": threshold, "matching.keepPerPosition": keepPerPosition,
            "matching.maxPerOffer": maxPerOffer, "matching.rules": rules, "matching.occupationWeight": occupationWeight,
        ]
    }

    static func build(settings: ServiceSettings) async throws -> AssembledService {
        let ruleSet = try MatcherConfiguration.ruleSet(settings)
        let policy = try MatcherConfiguration.policy(settings)
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
        runner.secureAPI(MatchRoutes.accessRules, audit: database)
        MatchRoutes.add(to: runner.router, database: database)
        runner.context.health.report("index", .ok, "\(loaded.candidates) candidates, \(loaded.offers) open offers")
        runner.logger.info("matcher ready", metadata: ["threshold": "\(ruleSet.threshold)"])
        let checkpoint = ErasureCheckpoint(database: database, context: runner.context)
        await checkpoint.checkAtStart()
        let redaction = ErasureRedaction(database: database, matcher: matcher, checkpoint: checkpoint)
        return AssembledService(
            runner: runner, services: publishing.services + [receiving.service, redaction.service, checkpoint])
    }
}
