import ArgumentParser
import Configuration
import Foundation
import Logging
import ServiceKit
import ServiceLifecycle

/// The offer registry: validated job offers from foreign employers and partner agencies,
/// checked for fraud signals, reviewed by officers, published on the bus.
@main
struct OfferRegistryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "offer-registry",
        abstract: "Registre des offres d’emploi / Job offer registry (HTTP :8081, replay :7110).")

    @OptionGroup var common: CommonOptions

    @Option(help: "Which offers wait for an officer: all, flagged or none (PASSERELLE_OFFERS_REVIEW; default flagged).")
    var review: String?

    @Option(help: "Offer checks to run, comma-separated (PASSERELLE_OFFERS_CHECKS; default all).")
    var checks: String?

    @Option(
        name: .customLong("deadline-check-seconds"),
        help: "How often offers past their deadline are closed (PASSERELLE_OFFERS_DEADLINE_CHECK_SECONDS; default 60).")
    var deadlineCheckSeconds: String?

    func run() async throws {
        let settings = try await common.settings(
            for: .offerRegistry,
            extra: [
                "offers.review": review, "offers.checks": checks,
                "offers.deadlineCheckSeconds": deadlineCheckSeconds,
            ])
        let reviewText = settings.config.string(forKey: "offers.review", default: ReviewMode.flagged.rawValue)
        guard let reviewMode = ReviewMode(rawValue: reviewText) else {
            throw ValidationError("offers.review: '\(reviewText)' is not one of all, flagged, none")
        }
        let chosen: [any OfferCheck]
        do { chosen = try OfferChecks.named(settings.config.string(forKey: "offers.checks")) } catch {
            throw ValidationError("\(error)")
        }
        let intervalText = settings.config.string(forKey: "offers.deadlineCheckSeconds", default: "60")
        guard let interval = Double(intervalText), interval > 0 else {
            throw ValidationError("offers.deadlineCheckSeconds: '\(intervalText)' is not a positive number of seconds")
        }
        let database = try ServiceDatabase(directory: settings.dataDirectory, name: "offer-registry") { migrator in
            OfferStore.migrate(&migrator)
        }
        let runner = ServiceRunner(settings: settings)
        let publishing = try runner.publishing(database: database)
        let registry = OfferRegistry(
            database: database, outbox: publishing.outbox, checks: chosen,
            review: reviewMode, logger: runner.logger)
        runner.secureAPI(OfferRegistry.accessRules, audit: database)
        registry.addRoutes(to: runner.router)
        runner.logger.info(
            "offer-registry ready",
            metadata: ["review": "\(reviewMode.rawValue)", "checks": "\(chosen.map(\.name).joined(separator: ","))"])
        try await runner.run(
            services: publishing.services + [DeadlineCloser(registry: registry, interval: .seconds(interval))])
    }
}

/// Closes offers whose application deadline has passed (`offer.closed`, reason `deadline`),
/// at start and then every `interval`.
struct DeadlineCloser: Service {
    let registry: OfferRegistry
    let interval: Duration

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while true {
                    do {
                        let closed = try await registry.closePastDeadlines()
                        if closed > 0 {
                            registry.logger.info("offers closed at deadline", metadata: ["count": "\(closed)"])
                        }
                    } catch {
                        registry.logger.error("closing offers at deadline failed", metadata: ["error": "\(error)"])
                    }
                    try await Task.sleep(for: interval)
                }
            }
        } catch is CancellationError {}
    }
}
