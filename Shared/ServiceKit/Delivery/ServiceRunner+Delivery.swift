import Bus
import Logging
import Messages
import ServiceLifecycle

extension ServiceRunner {
    /// The publishing half of the delivery protocol, wired from the settings: an `Outbox` to
    /// append to, and the services to run (relay with heartbeat, replay server, retention).
    ///
    /// Settings: `replay` (the endpoint to bind), `delivery.heartbeatMilliseconds` (default
    /// 1000), `delivery.retentionDays` (default: keep the whole history).
    public func publishing(database: ServiceDatabase) throws -> (outbox: Outbox, services: [any Service]) {
        let settings = context.settings
        let source = settings.source
        let heartbeat = settings.config.int(forKey: "delivery.heartbeatMilliseconds", default: 1_000)
        guard heartbeat > 0 else {
            throw SettingsError.invalid(key: "delivery.heartbeatMilliseconds", reason: "must be at least 1")
        }
        var services: [any Service] = []
        var endpoint: String?
        if let replay = settings.replay {
            let server = try ReplayServer(
                database: database, endpoint: replay, options: settings.socketOptions, security: settings.security,
                logger: context.logger)
            endpoint = server.endpoint
            services.append(server)
        }
        services.append(
            OutboxRelay(
                database: database, publisher: try settings.makePublisher(), source: source, replayEndpoint: endpoint,
                heartbeatInterval: .milliseconds(heartbeat), health: context.health,
                sameSourceWatch: try settings.makeSubscriber(prefixes: ["heartbeat." + source]), logger: context.logger)
        )
        if let days = settings.config.int(forKey: "delivery.retentionDays"), days > 0 {
            services.append(OutboxRetention(database: database, days: days, logger: context.logger))
        }
        return (Outbox(source: source), services)
    }

    /// The receiving half: an `Inbox` on whole `streams`, and the service that feeds it.
    public func receiving(
        database: ServiceDatabase, streams: Set<String>, handler: @escaping Inbox.Handler
    ) throws -> (inbox: Inbox, service: any Service) {
        let settings = context.settings
        let inbox = Inbox(
            database: database, streams: streams, health: context.health,
            replayOptions: { source in
                // A replay endpoint must prove it is `source`: CURVE with that source's listed key.
                guard let security = settings.security else { return settings.socketOptions }
                return try security.clientOptions(settings.socketOptions, server: source)
            },
            logger: context.logger, handler: handler)
        let subscriber = try context.settings.makeSubscriber(prefixes: inbox.prefixes)
        let deadLetters = context.metrics.gauge(
            "passerelle_inbox_dead_letters", help: "Events kept in inbox_dead_letters, not applied (see /health).")
        let count = inbox.deadLetters
        context.metrics.addCollector { deadLetters.set(Int64(count.value)) }
        return (inbox, InboxConsumer(inbox: inbox, subscriber: subscriber, logger: context.logger))
    }
}

/// Deletes outbox rows older than the retention, once an hour (each stream keeps its newest).
struct OutboxRetention: Service {
    let database: ServiceDatabase
    let days: Int
    let logger: Logger

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while true {
                    let cutoff = Timestamp(
                        millisecondsSinceEpoch: Timestamp.now.millisecondsSinceEpoch - Int64(days) * 86_400_000)
                    let deleted = try await database.pool.write { db in try Outbox.prune(olderThan: cutoff, db) }
                    if deleted > 0 {
                        logger.info("outbox retention", metadata: ["deleted": "\(deleted)", "days": "\(days)"])
                    }
                    try await Task.sleep(for: .seconds(3_600))
                }
            }
        } catch is CancellationError {}
    }
}
