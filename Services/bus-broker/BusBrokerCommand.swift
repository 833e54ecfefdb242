import ArgumentParser
import Bus
import Configuration
import ServiceKit

/// `bus-broker`: the stateless XSUB ⇄ XPUB hub every service connects to.
@main
struct BusBrokerCommand: AsyncParsableCommand {
    static let identity = ServiceIdentity(
        name: "bus-broker", defaultHTTP: "127.0.0.1:8090", openAPI: PackageResources.openapi_yaml)

    static let configuration = CommandConfiguration(
        commandName: "bus-broker",
        abstract: "Forwards every Passerelle bus message from publishers to subscribers.",
        discussion: """
            Publishers connect to --publishers (XSUB), subscribers to --subscribers (XPUB).
            A wildcard port (tcp://127.0.0.1:*) is resolved and logged. Messages that break the
            wire protocol's framing, or exceed --max-message-bytes, are dropped, logged and counted.
            """)

    @Option(help: "XSUB endpoint publishers connect to (PASSERELLE_BUS_PUBLISH; default tcp://127.0.0.1:7100).")
    var publishers: String?

    @Option(help: "XPUB endpoint subscribers connect to (PASSERELLE_BUS_SUBSCRIBE; default tcp://127.0.0.1:7101).")
    var subscribers: String?

    @Option(help: "HTTP address for /health and /metrics (PASSERELLE_HTTP; default 127.0.0.1:8090).")
    var http: String?

    @Option(name: .customLong("max-message-bytes"), help: "Largest message forwarded, in bytes (default 1048576).")
    var maxMessageBytes: Int?

    @Option(
        name: .customLong("bus-high-water-mark"),
        help: "Messages queued per peer before dropping; 0 is no limit (default 200000).")
    var busHighWaterMark: String?

    @Option(help: "YAML configuration file (also PASSERELLE_CONFIG).")
    var config: String?

    @Option(name: .customLong("log-level"), help: "Log level (PASSERELLE_LOG_LEVEL; default info).")
    var logLevel: String?

    @Option(
        name: .customLong("keys-dir"),
        help: "Keys folder (PASSERELLE_KEYS_DIR): CURVE, ZAP with the authorised keys, and the ACL of acl.yaml.")
    var keysDir: String?

    @Flag(help: "Bind beyond loopback without keys: only on a network you trust (PASSERELLE_INSECURE).")
    var insecure = false

    func validate() throws {
        if let maxMessageBytes, maxMessageBytes < 1 {
            throw ValidationError("--max-message-bytes must be at least 1")
        }
    }

    func run() async throws {
        var flags: [String: String] = [:]
        flags["bus.publish"] = publishers
        flags["bus.subscribe"] = subscribers
        flags["http"] = http
        flags["logLevel"] = logLevel
        flags["bus.highWaterMark"] = busHighWaterMark
        flags["keysDir"] = keysDir
        if insecure { flags["insecure"] = "true" }
        flags["broker.maxMessageBytes"] = maxMessageBytes.map(String.init)
        let settings: ServiceSettings
        do {
            settings = try await ServiceSettings.load(Self.identity, flags: flags, configFile: config)
        } catch {
            throw ValidationError(error.description)
        }
        let runner = ServiceRunner(settings: settings)
        let limit = settings.config.int(forKey: "broker.maxMessageBytes", default: 1 << 20)
        let broker = BrokerService(
            publishers: settings.busPublish, subscribers: settings.busSubscribe, maxMessageBytes: limit,
            options: settings.socketOptions, highWaterMark: settings.highWaterMark, context: runner.context)
        try await runner.run(services: [broker])
    }
}
