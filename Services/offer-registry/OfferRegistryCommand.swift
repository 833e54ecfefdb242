import ArgumentParser
import Configuration
import Foundation
import Logging
import ServiceKit

/// The offer registry: validated job offers from foreign employers and partner agencies,
/// checked for fraud signals, reviewed by officers, published on the bus.
@main
struct OfferRegistryCommand: ServiceCommand {
    static let configuration = CommandConfiguration(
        commandName: "offer-registry",
        abstract: "Registre des offres d’emploi / Job offer registry (HTTP :8081, replay :7110).")

    static let identity = ServiceIdentity(
        name: "offer-registry", defaultHTTP: "127.0.0.1:8081", defaultReplay: "tcp://127.0.0.1:7110",
        openAPI: PackageResources.openapi_yaml)

    @OptionGroup var common: CommonOptions

    @Option(help: "Which offers wait for an officer: all, flagged or none (PASSERELLE_OFFERS_REVIEW; default flagged).")
    var review: String?

    @Option(help: "Offer checks to run, comma-separated (PASSERELLE_OFFERS_CHECKS; default all).")
    var checks: String?

    @Option(
        name: .customLong("deadline-check-seconds"),
        help: "How often offers past their deadline are closed (PASSERELLE_OFFERS_DEADLINE_CHECK_SECONDS; default 60).")
    var deadlineCheckSeconds: String?

    var serviceFlags: [String: String?] {
        ["offers.review": review, "offers.checks": checks, "offers.deadlineCheckSeconds": deadlineCheckSeconds]
    }

    static func build(settings: ServiceSettings) async throws -> AssembledService {
        let reviewMode = try settings.choice("offers.review", default: ReviewMode.flagged)
        let chosen = try OfferChecks.named(settings.value("offers.checks"))
        let interval = try settings.number("offers.deadlineCheckSeconds", default: 60, in: 0.001...31_536_000) ?? 60
        let database = try ServiceDatabase(directory: settings.dataDirectory, name: "offer-registry") { migrator in
            OfferStore.migrate(&migrator)
        }
        let runner = ServiceRunner(settings: settings)
        let publishing = try runner.publishing(database: database)
        let registry = OfferRegistry(
            database: database, outbox: publishing.outbox, checks: chosen, review: reviewMode, logger: runner.logger)
        runner.secureAPI(OfferRegistry.accessRules, audit: database)
        registry.addRoutes(to: runner.router)
        runner.logger.info(
            "offer-registry ready",
            metadata: ["review": "\(reviewMode.rawValue)", "checks": "\(chosen.map(\.name).joined(separator: ","))"])
        return AssembledService(
            runner: runner, services: publishing.services + [registry.deadlineCloser(every: .seconds(interval))])
    }
}
