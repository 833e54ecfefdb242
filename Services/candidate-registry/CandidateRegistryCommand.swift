import ArgumentParser
import Foundation
import GRDB
import Logging
import Messages
import ServiceKit

/// The candidate registry: people in Mali and Malians abroad who want legal work abroad,
/// their consent per purpose, and erasure on request.
@main
struct CandidateRegistryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "candidate-registry",
        abstract: "Registre des candidats / Candidate registry (HTTP :8082, replay :7120).")

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let settings = try await common.settings(for: .candidateRegistry)
        let database = try ServiceDatabase(directory: settings.dataDirectory, name: "candidate-registry") { migrator in
            CandidateStore.migrate(&migrator)
        }
        let runner = ServiceRunner(settings: settings)
        let publishing = try runner.publishing(database: database)
        let checkpoint = ErasureCheckpoint(database: database, context: runner.context)
        let registry = CandidateRegistry(
            database: database, outbox: publishing.outbox, logger: runner.logger, checkpoint: checkpoint)
        runner.secureAPI(CandidateRegistry.accessRules, audit: database)
        registry.addRoutes(to: runner.router)
        // STOP by SMS: the notifier publishes the reply; consent to notifications goes off.
        let logger = runner.logger
        let receiving = try runner.receiving(database: database, streams: [Topic.stream(of: Topic.notificationReply)]) {
            envelope, db in
            guard case .notificationReply(let reply) = envelope.payload, let id = reply.candidateId,
                StopWords.isStop(reply.text)
            else { return }
            if try registry.stopNotifications(id, at: reply.receivedAt, db) {
                logger.info("notifications stopped by SMS reply", metadata: ["candidate": "\(id)"])
            }
        }
        runner.logger.info("candidate-registry ready")
        try await runner.run(services: publishing.services + [receiving.service, checkpoint])
    }
}

/// Replies that mean "send me nothing more", in French and English, as typed on basic
/// phones: case, accents and punctuation ignored, first word only.
enum StopWords {
    static let words: Set<String> = ["STOP", "ARRET", "ARRETER", "ARRETEZ", "DESABONNER", "UNSUBSCRIBE"]

    static func isStop(_ text: String) -> Bool {
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).uppercased()
        let first = folded.split(whereSeparator: { !$0.isLetter }).first.map(String.init) ?? ""
        return words.contains(first)
    }
}
