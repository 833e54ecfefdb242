import Hummingbird
import Logging
import ServiceLifecycle
import UnixSignals

/// What every part of a service shares: its settings, logger, health checks and metrics.
public struct ServiceContext: Sendable {
    public let settings: ServiceSettings
    public let logger: Logger
    public let health: HealthChecks
    public let metrics: ServiceMetrics

    public init(settings: ServiceSettings) {
        self.settings = settings
        logger = LoggingSetup.logger(for: settings)
        health = HealthChecks(service: settings.identity.name)
        metrics = ServiceMetrics()
    }
}

/// Everything a service process is made of, run as one `ServiceGroup` that ends
/// gracefully on SIGTERM or SIGINT.
///
/// ```swift
/// let runner = ServiceRunner(settings: settings)
/// runner.router.get("/offers") { … }          // the service's own API
/// try await runner.run(services: [myBusConsumer])
/// ```
public struct ServiceRunner {
    public let context: ServiceContext
    /// The HTTP router: `/health`, `/metrics` and `/openapi.yaml` (when the service's identity
    /// carries its OpenAPI document) are already on it.
    public let router: Router<ServiceRequestContext>

    public init(settings: ServiceSettings) {
        context = ServiceContext(settings: settings)
        router = Router(context: ServiceRequestContext.self)
        router.add(middleware: HTTPMetrics(metrics: context.metrics))
        router.addAdminRoutes(
            health: context.health, metrics: context.metrics, openAPI: settings.identity.openAPI)
    }

    public var logger: Logger { context.logger }

    /// Runs the HTTP listener (if the settings name one) and `services` until a signal.
    public func run(services: [any Service]) async throws {
        var all = services
        if context.settings.http != nil { all.append(application()) }
        let group = ServiceGroup(
            configuration: .init(
                services: all.map { .init(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: context.logger))
        try await group.run()
    }

    /// The HTTP application on the settings' address (or an ephemeral one): what `run`
    /// serves, and what a test drives with HummingbirdTesting. Call it once per runner.
    public func application() -> some ApplicationProtocol {
        // Last, so that it sees only the requests no route took.
        router.add(middleware: UnmatchedRoutes(routes: router.routes))
        let http = context.settings.http ?? HTTPAddress(host: "127.0.0.1", port: 0)
        let logger = context.logger
        return Application(
            router: router,
            configuration: .init(
                address: .hostname(http.host, port: http.port), serverName: context.settings.identity.name),
            onServerRunning: { channel in
                let address = channel.localAddress
                logger.info(
                    "http listening",
                    metadata: ["address": "\(address?.ipAddress ?? http.host):\(address?.port ?? http.port)"])
            },
            logger: logger)
    }
}
