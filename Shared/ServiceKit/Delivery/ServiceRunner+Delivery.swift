import Bus
import Configuration
import Logging
import Messages
import Prometheus
import ServiceLifecycle

extension ServiceRunner {
    /// The publishing half of the delivery protocol, wired from the settings: an `Outbox` to
    /// append to, and the services to run (relay with heartbeat, replay server, retention).
    ///
    /// Settings: `replay` (the endpoint to bind), `delivery.heartbeatMilliseconds` (default
    /// 1000), `delivery.retentionDays` and `delivery.compactAfterDays` (see ``OutboxHistory``;
    /// default: keep the whole history).
    public func publishing(database: ServiceDatabase) throws -> (outbox: Outbox, services: [any Service]) {
        let settings = context.settings
        let source = settings.source
        let heartbeat = try settings.integer("delivery.heartbeatMilliseconds", default: 1_000, in: 1...3_600_000)
        var services: [any Service] = []
        var endpoint: String?
        if let replay = settings.replay {
            let server = try ReplayServer(
                database: database, endpoint: replay, options: settings.socketOptions, security: settings.security,
                metrics: context.metrics, logger: context.logger)
            endpoint = server.endpoint
            services.append(server)
        }
        services.append(
            OutboxRelay(
                database: database, publisher: try settings.makePublisher(), source: source, replayEndpoint: endpoint,
                heartbeatInterval: .milliseconds(heartbeat), health: context.health,
                sameSourceWatch: try settings.makeSubscriber(prefixes: ["heartbeat." + source]),
                metrics: context.metrics, logger: context.logger)
        )
        let history = try OutboxHistory(settings: settings, database: database, context: context)
        if let history { services.append(history.service) }
        return (Outbox(source: source, history: history?.streams ?? .standard), services)
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
            metrics: context.metrics, logger: context.logger, handler: handler)
        let subscriber = try context.settings.makeSubscriber(prefixes: inbox.prefixes)
        let deadLetters = context.metrics.gauge(
            "passerelle_inbox_dead_letters", help: "Events kept in inbox_dead_letters, not applied (see /health).")
        let count = inbox.deadLetters
        context.metrics.addCollector { deadLetters.set(Int64(count.value)) }
        let skipped = inbox.absentOnPurpose
        context.metrics.mirroredCounter(
            "passerelle_inbox_absent_on_purpose_total",
            help: "Seqs passed over because their publisher compacted or pruned them (its replay said so).",
            total: { skipped.value })
        return (inbox, InboxConsumer(inbox: inbox, subscriber: subscriber, logger: context.logger))
    }
}

/// Keeps the outbox bounded without losing the current state (DESIGN.md, "Outbox"): at start
/// and then every hour, compacts state streams and prunes fact streams.
///
/// - `delivery.compactAfterDays` (`--delivery-compact-after-days`): an event of a state
///   stream that a later event of the same record supersedes is deleted once it is that old.
///   Each record keeps its latest event, or its tombstone. Defaults to `retentionDays`.
/// - `delivery.retentionDays` (`--delivery-retention-days`): events of fact streams
///   (`notification`) older than that are deleted; the stream's history then starts later.
///
/// Both take days, fractions allowed (`0.5`); unset, nothing is deleted. Only published rows
/// are touched, and each stream keeps its newest row, so numbering goes on. Replay tells
/// readers which seqs are gone, and they pass over them (``ReplayProtocol``).
struct OutboxHistory {
    let database: ServiceDatabase
    let streams: StreamHistory
    let compactAfter: Double?
    let retention: Double?
    let logger: Logger
    let compacted: Counter
    let pruned: Counter

    /// Nil when neither setting is given (the whole history is kept).
    init?(settings: ServiceSettings, database: ServiceDatabase, context: ServiceContext) throws {
        let days = 0...36_500.0
        let retention = try settings.number("delivery.retentionDays", in: days)
        let compactAfter = try settings.number("delivery.compactAfterDays", in: days) ?? retention
        guard retention != nil || compactAfter != nil else { return nil }
        self.database = database
        self.streams = .standard
        self.compactAfter = compactAfter
        self.retention = retention
        self.logger = context.logger
        compacted = context.metrics.counter(
            "passerelle_outbox_compacted_total",
            help: "Outbox events deleted by compaction (superseded in their record).")
        pruned = context.metrics.counter(
            "passerelle_outbox_pruned_total", help: "Outbox events of fact streams deleted by retention (age).")
    }

    /// At start, then every hour.
    var service: PeriodicService {
        PeriodicService("outbox compaction", every: .seconds(3_600), logger: logger) { try await runOnce() }
    }

    /// One pass: compaction, then retention; logs what it deleted.
    func runOnce(now: Timestamp = .now) async throws {
        func cutoff(_ days: Double) -> Timestamp {
            Timestamp(millisecondsSinceEpoch: now.millisecondsSinceEpoch - Int64(days * 86_400_000))
        }
        var deleted: [String: Int] = [:]
        if let compactAfter {
            let count = try await Outbox.compact(olderThan: cutoff(compactAfter), database.pool)
            compacted.increment(by: Int64(count))
            deleted["compacted"] = count
        }
        if let retention {
            let count = try await Outbox.prune(
                streams: streams.factStreams, olderThan: cutoff(retention), database.pool)
            pruned.increment(by: Int64(count))
            deleted["pruned"] = count
        }
        logger.info(
            "outbox history maintained",
            metadata: [
                "compacted": "\(deleted["compacted"].map(String.init) ?? "off")",
                "pruned": "\(deleted["pruned"].map(String.init) ?? "off")",
            ])
    }
}
