import ArgumentParser
import Foundation
import GRDB
import Hummingbird
import Logging
import Messages
import ServiceKit

/// The notifier: tells candidates by SMS of the offers they match, hears their answers
/// (`OUI`, `NON`, `STOP`, `VERIF <ref>`), and lets anyone check an offer by SMS.
@main
struct NotifierCommand: ServiceCommand {
    static let configuration = CommandConfiguration(
        commandName: "notifier",
        abstract: "Notifications par SMS / SMS notifications (HTTP :8084, replay :7140).",
        // Without a subcommand the service runs; `notifier bench` measures it (issue 12).
        subcommands: [NotifierBenchmark.self])

    static let identity = ServiceIdentity(
        name: "notifier", defaultHTTP: "127.0.0.1:8084", defaultReplay: "tcp://127.0.0.1:7140",
        openAPI: PackageResources.openapi_yaml)

    @OptionGroup var common: CommonOptions

    @Option(help: "spool, webhook or kannel (PASSERELLE_NOTIFIER_CHANNEL; default spool).")
    var channel: String?

    var serviceFlags: [String: String?] { ["notifier.channel": channel] }

    static func build(settings: ServiceSettings) async throws -> AssembledService {
        let database = try ServiceDatabase(directory: settings.dataDirectory, name: "notifier") { migrator in
            NotifierStore.migrate(&migrator)
        }
        let runner = ServiceRunner(settings: settings)
        let secret = settings.value("notifier.inboundSecret")
        let address = settings.http.map { "\($0)" } ?? "127.0.0.1:8084"
        let dlrBase = "http://\(address)/inbound/dlr?secret=\(secret ?? "")"
        let channel = try Channels.make(settings, dlrBase: dlrBase)
        let policy = SendingPolicy(
            dailyLimit: try settings.integer("notifier.dailyLimit", default: 3, in: 1...100),
            quietHours: try SendingPolicy.quietHours(settings.value("notifier.quietHours") ?? ""),
            maxAttempts: try settings.integer("notifier.maxAttempts", default: 5, in: 1...50),
            retryBase: .milliseconds(
                try settings.integer("notifier.retryMilliseconds", default: 1_000, in: 1...600_000)))
        let templates = Templates(directory: settings.value("notifier.templatesDir"))
        let retention = try settings.number("notifier.retentionDays", default: 365, in: 1...36_500) ?? 365
        let publishing = try runner.publishing(database: database)
        let notifier = Notifier(
            database: database, outbox: publishing.outbox, channel: channel.name, templates: templates,
            logger: runner.logger)
        let receiving = try runner.receiving(
            database: database,
            streams: [
                Topic.stream(of: Topic.matchFound), Topic.stream(of: Topic.contactUpdated),
                Topic.stream(of: Topic.candidateRegistered), Topic.stream(of: Topic.offerPublished),
            ]
        ) { envelope, db in try notifier.apply(envelope, db) }
        var dispatching = Dispatcher(
            database: database, outbox: publishing.outbox, channel: channel, templates: templates, policy: policy,
            logger: runner.logger)
        dispatching.counters = DispatchCounters(metrics: runner.context.metrics, channel: channel.name)
        let dispatcher = dispatching
        try await dispatcher.recoverInterrupted()
        runner.secureAPI(
            [AccessRule(.get, "/notifications", [.officer, .portal])], audit: database,
            gateways: ["/inbound/sms", "/inbound/dlr"])
        InboundRoutes(notifier: notifier, secret: secret).add(to: runner.router)
        NotificationRoutes.add(to: runner.router, database: database)
        let checkpoint = ErasureCheckpoint(database: database, context: runner.context)
        await checkpoint.checkAtStart()
        let sending = PeriodicService("sending notifications", every: .milliseconds(200), logger: runner.logger) {
            try await dispatcher.round()
        }
        let pruning = PeriodicService("notification retention", every: .seconds(3_600), logger: runner.logger) {
            let cutoff = Timestamp(
                millisecondsSinceEpoch: Timestamp.now.millisecondsSinceEpoch - Int64(retention * 86_400_000))
            _ = try await database.pool.write { db in try NotifierStore.prune(olderThan: cutoff, db) }
        }
        // Erased people's rows leave the WAL too (ServiceKit retries while a reader holds it).
        let erasures = PeriodicService("erasure checkpoint", every: .seconds(1), logger: runner.logger) {
            if notifier.erasedSinceCheckpoint.take() { await checkpoint.afterErasure() }
        }
        runner.logger.info("notifier ready", metadata: ["channel": "\(channel.name)"])
        return AssembledService(
            runner: runner,
            services: publishing.services + [receiving.service, sending, pruning, erasures, checkpoint])
    }
}

/// `GET /notifications?candidate={id}`: what was sent to and received from a candidate.
enum NotificationRoutes {
    static func add(to router: Router<ServiceRequestContext>, database: ServiceDatabase) {
        router.get("/notifications") { request, _ -> Response in
            let query = QueryParameters(request)
            // Paged like every listing (DESIGN.md, Interfaces): `offset` was refused as unknown.
            try query.only(["candidate", "limit", "offset"])
            guard let candidate = query["candidate"] else {
                throw APIError(
                    .badRequest, code: "invalid-parameter", message: "candidate attendu / candidate expected",
                    field: "candidate")
            }
            let limit = try query.integer("limit", default: 100, range: 1...1_000)
            let offset = try query.integer("offset", default: 0, range: 0...10_000_000)
            let messages = try await database.pool.read { db in
                try NotifierStore.messages(candidateId: candidate, limit: limit, offset: offset, db)
            }
            return APIBody.response(["notifications": messages])
        }
    }
}
