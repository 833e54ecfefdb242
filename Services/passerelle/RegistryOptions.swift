import ArgumentParser
import AsyncHTTPClient
import Foundation
import Importing
import NIOCore

/// Where the registries are and how hard to push them: shared by `import` and `demo`.
struct RegistryOptions: ParsableArguments {
    static let defaultOfferRegistry = "http://127.0.0.1:8081"
    static let defaultCandidateRegistry = "http://127.0.0.1:8082"

    @Option(
        name: .customLong("offer-registry"),
        help: ArgumentHelp(
            "Registre des offres (env PASSERELLE_OFFER_REGISTRY_URL, défaut \(defaultOfferRegistry)) / offer registry",
            valueName: "URL"))
    var offerRegistry: String?

    @Option(
        name: .customLong("candidate-registry"),
        help: ArgumentHelp(
            "Registre des candidats (env PASSERELLE_CANDIDATE_REGISTRY_URL, défaut \(defaultCandidateRegistry)) "
                + "/ candidate registry", valueName: "URL"))
    var candidateRegistry: String?

    @Option(help: ArgumentHelp("Requêtes simultanées / requests in flight", valueName: "N"))
    var concurrency = 8

    @Option(
        name: .customLong("api-key"),
        help: ArgumentHelp(
            "Clé d’API, envoyée en « Authorization: Bearer » (env PASSERELLE_API_KEY, préférable : "
                + "la ligne de commande se voit dans ps) / API key, sent as Authorization: Bearer "
                + "(env PASSERELLE_API_KEY, better: a command line shows in ps)", valueName: "KEY"))
    var apiKey: String?

    func validate() throws {
        guard concurrency >= 1, concurrency <= 256 else {
            throw ValidationError("--concurrency doit être entre 1 et 256 / must be between 1 and 256")
        }
        if let key = key(), !Self.isValidKey(key) {
            throw ValidationError(
                "--api-key : 1 à 4096 caractères ASCII visibles / 1 to 4096 visible ASCII characters")
        }
    }

    /// The API key: the flag, else the environment; nil when neither gives one.
    func key(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let apiKey { return apiKey }
        guard let key = environment["PASSERELLE_API_KEY"], !key.isEmpty else { return nil }
        return key
    }

    /// A key goes into a header as it is: no spaces, no line breaks that would end the header.
    static func isValidKey(_ key: String) -> Bool {
        (1...4096).contains(key.utf8.count) && key.utf8.allSatisfy { (0x21...0x7E).contains($0) }
    }

    /// The registry of `kind`: the flag, else the environment, else the default.
    func url(for kind: RecordKind, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        switch kind {
        case .offer:
            offerRegistry ?? environment["PASSERELLE_OFFER_REGISTRY_URL"] ?? Self.defaultOfferRegistry
        case .candidate:
            candidateRegistry ?? environment["PASSERELLE_CANDIDATE_REGISTRY_URL"] ?? Self.defaultCandidateRegistry
        }
    }
}

/// One HTTP client for the whole command, shut down at the end whatever happens.
enum RegistryConnection {
    static func withClient<Result>(
        concurrency: Int = 8, _ body: (HTTPClient) async throws(ImportError) -> Result
    ) async throws(ImportError) -> Result {
        var configuration = HTTPClient.Configuration()
        // Our own retries (RetryPolicy) handle a refused connection: the pool's retrying until
        // the request deadline would make an unreachable registry take half a minute per try.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = max(8, concurrency)
        configuration.timeout.connect = .seconds(5)
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        let result: Swift.Result<Result, ImportError>
        do throws(ImportError) { result = .success(try await body(client)) } catch { result = .failure(error) }
        try? await client.shutdown()
        return try result.get()
    }
}

extension ImportError {
    /// Reports the error on stderr and gives the exit status to end with.
    func exit() -> ExitCode {
        Terminal.error("passerelle: \(description)")
        return ExitCode(exitStatus)
    }
}
