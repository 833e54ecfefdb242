import ArgumentParser
import Hummingbird
import Logging
import ServiceLifecycle

/// A service assembled from its settings: what its `@main` command runs, and what a test
/// drives in-process (its router through HummingbirdTesting, its services in a group).
public struct AssembledService {
    /// Context (settings, logger, health, metrics) and router.
    public let runner: ServiceRunner
    /// The background services: relay, replay, inbox consumer, periodic jobs…
    public var services: [any Service]

    public init(runner: ServiceRunner, services: [any Service]) {
        self.runner = runner
        self.services = services
    }

    /// Runs the HTTP listener and every service until SIGTERM or SIGINT.
    public func run() async throws { try await runner.run(services: services) }

    /// The HTTP application without its listener, for `application.test(.router) { … }`.
    public var application: some ApplicationProtocol { runner.application() }
}

/// The `@main` of a Passerelle service: parses the common flags and the service's own,
/// resolves the settings, builds the service and runs it.
///
/// ```swift
/// @main
/// struct CounterCommand: ServiceCommand {
///     static let identity = ServiceIdentity(name: "counter", defaultHTTP: "127.0.0.1:8099")
///     @OptionGroup var common: CommonOptions
///     static func build(settings: ServiceSettings) async throws -> AssembledService { … }
/// }
/// ```
///
/// A setting the service refuses (``SettingsError``) ends the process with status 64 and
/// the message, like a bad flag.
public protocol ServiceCommand: AsyncParsableCommand {
    /// The service's name (its `source` and key identity) and default addresses.
    static var identity: ServiceIdentity { get }
    var common: CommonOptions { get }
    /// The service's own flags, by configuration key; nil when not given.
    var serviceFlags: [String: String?] { get }
    /// Assembles the service from its settings; tests call it too.
    static func build(settings: ServiceSettings) async throws -> AssembledService
}

extension ServiceCommand {
    public var serviceFlags: [String: String?] { [:] }

    public func run() async throws {
        let settings = try await common.settings(for: Self.identity, extra: serviceFlags)
        let service: AssembledService
        do {
            service = try await Self.build(settings: settings)
        } catch let error as SettingsError {
            throw ValidationError(error.description)
        }
        try await service.run()
    }
}

/// Runs `body` at start (unless told otherwise) and then every `interval` until graceful
/// shutdown. A failing round is logged with `name` and the next one comes on time: a
/// periodic job never ends the process.
public struct PeriodicService: Service {
    let name: String
    let interval: @Sendable () -> Duration
    let atStart: Bool
    let logger: Logger
    let body: @Sendable () async throws -> Void

    /// - Parameter interval: asked before each wait, so a job can back off.
    public init(
        _ name: String, every interval: @escaping @Sendable () -> Duration, atStart: Bool = true, logger: Logger,
        _ body: @escaping @Sendable () async throws -> Void
    ) {
        self.name = name
        self.interval = interval
        self.atStart = atStart
        self.logger = logger
        self.body = body
    }

    public init(
        _ name: String, every interval: Duration, atStart: Bool = true, logger: Logger,
        _ body: @escaping @Sendable () async throws -> Void
    ) {
        self.init(name, every: { interval }, atStart: atStart, logger: logger, body)
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                var first = atStart
                while true {
                    if !first { try await Task.sleep(for: interval()) }
                    first = false
                    do {
                        try await body()
                    } catch is CancellationError {
                        throw CancellationError()
                    } catch {
                        logger.error("\(name) failed; next round on time", metadata: ["error": "\(error)"])
                    }
                }
            }
        } catch is CancellationError {}
    }
}
