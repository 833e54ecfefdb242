import ArgumentParser
import Foundation
import GRDB
import Logging
import Messages
import ServiceKit

/// The candidate registry: people in Mali and Malians abroad who want legal work abroad,
/// their consent per purpose, and erasure on request.
@main
struct CandidateRegistryCommand: ServiceCommand {
    static let configuration = CommandConfiguration(
        commandName: "candidate-registry",
        abstract: "Registre des candidats / Candidate registry (HTTP :8082, replay :7120).")

    static let identity = ServiceIdentity(
        name: "candidate-registry", defaultHTTP: "127.0.0.1:8082", defaultReplay: "tcp://127.0.0.1:7120",
        openAPI: PackageResources.openapi_yaml)

    @OptionGroup var common: CommonOptions

    static func build(settings: ServiceSettings) async throws -> AssembledService {
        let database = try ServiceDatabase(directory: settings.dataDirectory, name: "candidate-registry") { migrator in
            CandidateStore.migrate(&migrator)
        }
        let runner = ServiceRunner(settings: settings)
        let publishing = try runner.publishing(database: database)
        let checkpoint = ErasureCheckpoint(database: database, context: runner.context)
        await checkpoint.checkAtStart()
        let registry = CandidateRegistry(
            database: database, outbox: publishing.outbox, logger: runner.logger, checkpoint: checkpoint)
        runner.secureAPI(CandidateRegistry.accessRules, audit: database)
        registry.addRoutes(to: runner.router)
        // STOP by SMS: the notifier publishes the reply; consent to notifications goes off.
        let receiving = try runner.receiving(database: database, streams: [Topic.stream(of: Topic.notificationReply)]) {
            envelope, db in try registry.heard(envelope, db)
        }
        runner.logger.info("candidate-registry ready")
        return AssembledService(runner: runner, services: publishing.services + [receiving.service, checkpoint])
    }
}
