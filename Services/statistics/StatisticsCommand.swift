import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Messages
import ServiceKit

/// Statistics: the ministry's monitoring of labour migration (« veille »). Counts offers,
/// candidates and what becomes of the matches as events come, in its own SQLite; serves exact
/// counts to officers and tables safe to publish to everyone, and a French dashboard.
@main
struct StatisticsCommand: ServiceCommand {
    static let configuration = CommandConfiguration(
        commandName: "statistics",
        abstract: "Statistiques et tableau de bord / Statistics and dashboard (HTTP :8085).",
        // Without a subcommand the service runs; `statistics bench` measures it (issue 13).
        subcommands: [StatisticsBenchmark.self])

    static let identity = ServiceIdentity(
        name: "statistics", defaultHTTP: "127.0.0.1:8085", openAPI: PackageResources.openapi_yaml)

    @OptionGroup var common: CommonOptions

    @Option(
        help: "Counts of people under this are hidden in the public view (PASSERELLE_STATISTICS_THRESHOLD; default 5).")
    var threshold: String?

    @Option(
        name: .customLong("good-match-score"),
        help: "Lowest score of a good match, for unmet demand (PASSERELLE_STATISTICS_GOOD_MATCH_SCORE; default 70).")
    var goodMatchScore: String?

    var serviceFlags: [String: String?] {
        ["statistics.threshold": threshold, "statistics.goodMatchScore": goodMatchScore]
    }

    static func build(settings: ServiceSettings) async throws -> AssembledService {
        let threshold = try settings.integer("statistics.threshold", default: 5, in: 3...100)
        let goodScore = try settings.integer("statistics.goodMatchScore", default: 70, in: 0...100)
        let database = try ServiceDatabase(directory: settings.dataDirectory, name: "statistics") { migrator in
            StatisticsStore.migrate(&migrator)
        }
        let runner = ServiceRunner(settings: settings)
        let erased = ErasureFlag()
        let aggregator = Aggregator(contributions: Contributions(goodScore: goodScore), erased: erased)
        let receiving = try runner.receiving(
            database: database,
            streams: [
                Topic.stream(of: Topic.offerPublished), Topic.stream(of: Topic.candidateRegistered),
                Topic.stream(of: Topic.matchFound), Topic.stream(of: Topic.notificationSent),
            ]
        ) { envelope, db in try aggregator.apply(envelope, db) }
        let reader = StatsReader(database: database, threshold: threshold)
        let everyone: Set<APIKeys.Role> = [.officer, .statistics]
        runner.secureAPI(
            [
                AccessRule(.get, "/", everyone, anonymous: true),
                AccessRule(.get, "/tableau.css", everyone, anonymous: true),
                AccessRule(.get, "/stats", everyone, anonymous: true),
                AccessRule(.get, "/stats/:dimension", everyone, anonymous: true),
            ], audit: database)
        StatsRoutes(reader: reader).add(to: runner.router)
        try DashboardRoutes(reader: reader).add(to: runner.router)
        let checkpoint = ErasureCheckpoint(database: database, context: runner.context)
        await checkpoint.checkAtStart()
        let erasures = PeriodicService("erasure checkpoint", every: .seconds(1), logger: runner.logger) {
            if erased.take() { await checkpoint.afterErasure() }
        }
        runner.logger.info(
            "statistics ready", metadata: ["threshold": "\(threshold)", "goodMatchScore": "\(goodScore)"])
        return AssembledService(runner: runner, services: [receiving.service, erasures, checkpoint])
    }
}
