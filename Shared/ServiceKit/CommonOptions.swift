import ArgumentParser

/// The flags every service accepts; `@OptionGroup var common: CommonOptions` in a command.
///
/// No option has a default here: an absent flag leaves the environment, the file and the
/// defaults to decide (see ``ServiceSettings``).
public struct CommonOptions: ParsableArguments {
    @Option(help: "YAML configuration file (also PASSERELLE_CONFIG).")
    public var config: String?

    @Option(name: .customLong("bus-publish"), help: "Broker endpoint to publish to (PASSERELLE_BUS_PUBLISH).")
    public var busPublish: String?

    @Option(name: .customLong("bus-subscribe"), help: "Broker endpoint to subscribe at (PASSERELLE_BUS_SUBSCRIBE).")
    public var busSubscribe: String?

    @Option(name: .customLong("data-dir"), help: "Folder for the SQLite file, spool and logs (PASSERELLE_DATA_DIR).")
    public var dataDir: String?

    @Option(help: "HTTP listen address host:port (PASSERELLE_HTTP).")
    public var http: String?

    @Option(help: "Replay endpoint to bind (PASSERELLE_REPLAY).")
    public var replay: String?

    @Option(name: .customLong("keys-dir"), help: "CURVE keys folder; set, the bus is encrypted (PASSERELLE_KEYS_DIR).")
    public var keysDir: String?

    @Option(
        name: .customLong("log-level"),
        help: "trace, debug, info, notice, warning, error or critical (PASSERELLE_LOG_LEVEL).")
    public var logLevel: String?

    @Option(
        name: .customLong("bus-high-water-mark"),
        help: "Messages queued per peer before ZeroMQ drops; 0 is no limit (PASSERELLE_BUS_HIGH_WATER_MARK).")
    public var busHighWaterMark: String?

    @Option(
        name: .customLong("delivery-heartbeat-ms"),
        help: "Heartbeat interval in milliseconds (PASSERELLE_DELIVERY_HEARTBEAT_MILLISECONDS; default 1000).")
    public var deliveryHeartbeatMilliseconds: String?

    @Option(
        name: .customLong("delivery-retention-days"),
        help:
            "Days fact streams (notification) keep their events; unset keeps all (PASSERELLE_DELIVERY_RETENTION_DAYS).")
    public var deliveryRetentionDays: String?

    @Option(
        name: .customLong("delivery-compact-after-days"),
        help: """
            Days after which a superseded event of a state stream (offer, candidate, contact, match) is compacted \
            away; default: the retention days (PASSERELLE_DELIVERY_COMPACT_AFTER_DAYS).
            """)
    public var deliveryCompactAfterDays: String?

    @Option(help: "This instance's source name and key identity, e.g. matcher@kayes (PASSERELLE_SOURCE).")
    public var source: String?

    @Flag(help: "Run without keys beyond loopback: only on a network you trust (PASSERELLE_INSECURE).")
    public var insecure: Bool = false

    public init() {}

    /// The flags given, by configuration key.
    public var flags: [String: String] {
        var flags: [String: String] = [:]
        flags["bus.publish"] = busPublish
        flags["bus.subscribe"] = busSubscribe
        flags["dataDir"] = dataDir
        flags["http"] = http
        flags["replay"] = replay
        flags["keysDir"] = keysDir
        flags["logLevel"] = logLevel
        flags["bus.highWaterMark"] = busHighWaterMark
        flags["delivery.heartbeatMilliseconds"] = deliveryHeartbeatMilliseconds
        flags["delivery.retentionDays"] = deliveryRetentionDays
        flags["delivery.compactAfterDays"] = deliveryCompactAfterDays
        flags["source"] = source
        if insecure { flags["insecure"] = "true" }
        return flags
    }

    /// Resolves the settings of `identity` with these flags on top.
    ///
    /// - Parameter extra: the service's own flags, by configuration key (`offers.review`);
    ///   nil values (flags not given) leave the environment, file and defaults to decide.
    public func settings(
        for identity: ServiceIdentity, extra: [String: String?] = [:]
    ) async throws -> ServiceSettings {
        do {
            return try await ServiceSettings.load(
                identity, flags: flags.merging(extra.compactMapValues { $0 }) { given, _ in given },
                configFile: config)
        } catch {
            throw ValidationError(error.description)
        }
    }
}
