import ArgumentParser
import Foundation
import Hummingbird
import HummingbirdAuth
import Logging
import ServiceKit

/// Portail: the officers' web back office, in French. It owns only its accounts, sessions and
/// screens; every read and write goes to the owning service's HTTP API with Portail's `portal`
/// key, acting for the signed-in officer.
@main
struct PortailCommand: ServiceCommand {
    static let configuration = CommandConfiguration(
        commandName: "portail",
        abstract: "Back office des agents / Officers' back office (HTTP :8080).",
        subcommands: [UserCommand.self, PortailBench.self])

    static let identity = ServiceIdentity(
        name: "portail", defaultHTTP: "127.0.0.1:8080", openAPI: PackageResources.openapi_yaml)

    @OptionGroup var common: CommonOptions

    var serviceFlags: [String: String?] { [:] }

    static func build(settings: ServiceSettings) async throws -> AssembledService {
        let database = try ServiceDatabase(directory: settings.dataDirectory, name: "portail") { migrator in
            PortailStore.migrate(&migrator)
        }
        let runner = ServiceRunner(settings: settings)
        let pages = try await Pages.load(directory: settings.value("portail.templatesDir"))
        let secure = try settings.choice("portail.secureCookies", default: YesNo.no) == .yes
        let driver = DatabasePersistDriver(database: database)
        let sessions = SessionStorage<PortalSession>(
            driver,
            configuration: SessionStorageConfiguration(
                sessionCookieParameters: SessionCookieParameters(
                    name: "passerelle_session", path: "/", secure: secure, sameSite: .strict),
                keyPrefix: "session."))
        let environment = ProcessInfo.processInfo.environment
        func url(_ variable: String, _ fallback: String) -> String {
            environment[variable] ?? "http://\(fallback)"
        }
        let owners = OwnerClient(
            offers: url("PASSERELLE_OFFER_REGISTRY_URL", "127.0.0.1:8081"),
            candidates: url("PASSERELLE_CANDIDATE_REGISTRY_URL", "127.0.0.1:8082"),
            matches: url("PASSERELLE_MATCHER_URL", "127.0.0.1:8083"),
            notifier: url("PASSERELLE_NOTIFIER_URL", "127.0.0.1:8084"),
            apiKey: settings.value("portail.apiKey").flatMap { $0.isEmpty ? nil : $0 })
        let accounts = Accounts(
            database: database,
            maxFailures: try settings.integer("portail.maxFailures", default: 5, in: 1...100),
            lockout: .seconds(try settings.integer("portail.lockoutMinutes", default: 15, in: 1...10_080) * 60))
        runner.router.add(middleware: PortalDoor(sessions: sessions))
        runner.router.add(middleware: FileMiddleware(Pages.resources + "/public", searchForIndexHtml: false))
        SignInRoutes(
            pages: pages, accounts: accounts, sessions: sessions,
            sessionLength: .seconds(try settings.integer("portail.sessionHours", default: 10, in: 1...168) * 3_600),
            secureCookies: secure,
            throttle: SignInThrottle(
                limit: try settings.integer("portail.addressFailures", default: 20, in: 1...10_000),
                window: TimeInterval(try settings.integer("portail.lockoutMinutes", default: 15, in: 1...10_080) * 60)),
            behindProxy: try settings.choice("portail.behindProxy", default: YesNo.no) == .yes
        ).add(to: runner.router)
        runner.router.get("/") { _, _ -> Response in try pages.render("accueil", title: "Accueil", [:]) }
        OfferPages(pages: pages, owners: owners).add(to: runner.router)
        OfferFormPages(pages: pages, owners: owners).add(to: runner.router)
        OfferFormPages(pages: pages, owners: owners).addEditing(to: runner.router)
        CandidateFormPages(pages: pages, owners: owners).add(to: runner.router)
        CandidatePages(pages: pages, owners: owners).add(to: runner.router)
        MatchPages(pages: pages, owners: owners).add(to: runner.router)
        OfferDetailPages(pages: pages, owners: owners).add(to: runner.router)
        let imports = try ImportJobs(
            folder: settings.dataDirectory + "/imports", owners: owners,
            maxRunning: try settings.integer("portail.importsRunning", default: 4, in: 1...64), logger: runner.logger)
        ImportPages(
            pages: pages, jobs: imports,
            limit: try settings.integer("portail.importMaxMB", default: 32, in: 1...1_024) * 1_048_576
        ).add(to: runner.router)
        let pruning = PeriodicService("expired sessions", every: .seconds(3_600), logger: runner.logger) {
            try await driver.prune()
        }
        runner.logger.info("portail ready", metadata: ["offers": "\(owners.offers)", "secureCookies": "\(secure)"])
        return AssembledService(runner: runner, services: [pruning])
    }

    /// A yes-or-no setting: `portail.secureCookies` (`yes` behind TLS: the browser sends cookies
    /// only over HTTPS) and `portail.behindProxy`.
    enum YesNo: String, CaseIterable { case yes, no }
}
