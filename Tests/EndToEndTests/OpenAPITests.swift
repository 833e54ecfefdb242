import Foundation
import ServiceKit
import Testing

/// openapi-spec-validator and schemathesis, pinned in Tests/OpenAPI/requirements.txt, in the
/// venv that `compose/dev test` makes (`.build/openapi-venv`) and names in `PASSERELLE_OPENAPI_VENV`.
enum OpenAPITools {
    static var venv: String? { ProcessInfo.processInfo.environment["PASSERELLE_OPENAPI_VENV"] }

    /// Under `compose/dev test` (security on) the checks must run; run by hand without the
    /// tools installed, they are skipped, saying why.
    static var isAvailable: Bool { venv != nil || TestSecurity.isOn }
    static let skipReason: Comment = """
        no PASSERELLE_OPENAPI_VENV: compose/dev test installs openapi-spec-validator and schemathesis \
        (Tests/OpenAPI/requirements.txt) in .build/openapi-venv and sets it
        """

    static func tool(_ name: String) throws -> URL {
        guard let venv else {
            throw HarnessError.timedOut(waitingFor: "PASSERELLE_OPENAPI_VENV", last: "\(skipReason)")
        }
        return URL(fileURLWithPath: venv + "/bin/" + name)
    }

    /// The repository's root, where `Services/<name>/openapi.yaml` are.
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func document(_ service: String) -> URL {
        repository.appendingPathComponent("Services/\(service)/openapi.yaml")
    }
}

/// A service answering HTTP, spawned for one test with what it needs (a broker, owners'
/// addresses); everything it spawned stops with it.
struct DocumentedService {
    static let names = [
        "bus-broker", "offer-registry", "candidate-registry", "matcher", "notifier", "statistics", "portail",
    ]

    let name: String
    let broker: RunningBroker
    let service: RunningService?
    var base: String { service?.base ?? "http://\(broker.http)" }

    static func start(_ name: String) async throws -> DocumentedService {
        let broker = try await RunningBroker.start()
        var environment: [String: String] = [:]
        switch name {
        case "bus-broker":
            return DocumentedService(name: name, broker: broker, service: nil)
        case "notifier":
            environment["PASSERELLE_NOTIFIER_INBOUND_SECRET"] = "openapi-gateway-secret"
        case "portail":
            // Its pages call the owners only once signed in; the fuzzing has no session.
            environment["PASSERELLE_PORTAIL_API_KEY"] = TestSecurity.isOn ? TestSecurity.keys.api[.portal]! : ""
        default:
            break
        }
        let service = try await RunningService.start(
            name, broker: broker, dataDirectory: scratchDirectory("openapi-\(name)"), environment: environment)
        return DocumentedService(name: name, broker: broker, service: service)
    }

    /// The API key schemathesis presents with security on: an officer's, whom every operation
    /// of every API accepts (a method no route has is for officers only, so another role gets
    /// 403 where the unsupported-method check wants 405); none for the broker and Portail.
    var fuzzingRole: APIKeys.Role? { name == "bus-broker" || name == "portail" ? nil : .officer }
}

@Suite("OpenAPI: each service serves its document at /openapi.yaml, open with security on", .serialized)
struct OpenAPIServedTests {
    @Test(
        "GET /openapi.yaml without a key answers the repository's Services/<name>/openapi.yaml, as YAML in UTF-8",
        arguments: DocumentedService.names)
    func served(_ name: String) async throws {
        let running = try await DocumentedService.start(name)
        let expected = try Data(contentsOf: OpenAPITools.document(name))
        let answer = try await request("GET", running.base + "/openapi.yaml", auth: .none)
        #expect(answer.status == 200, "\(name): \(answer.text.prefix(300))")
        #expect(answer.headers["content-type"] == "application/yaml; charset=utf-8")
        #expect(answer.body == expected, "\(name) serves a document other than \(OpenAPITools.document(name).path)")
        #expect(String(data: answer.body, encoding: .utf8)?.hasPrefix("openapi: 3.1.0\n") == true)
        if TestSecurity.isOn, running.fuzzingRole != nil {
            // Only the three admin paths are open: the API itself still wants a key.
            #expect(try await request("GET", running.base + "/audit", auth: .none).status == 401)
        }
    }
}

@Suite(
    "OpenAPI: each document is valid OpenAPI 3.1, and the running service keeps to it under schemathesis",
    .enabled(if: OpenAPITools.isAvailable, OpenAPITools.skipReason), .serialized, .timeLimit(.minutes(3)))
struct OpenAPIConformanceTests {
    @Test("openapi-spec-validator accepts every document")
    func lint() async throws {
        let documents = DocumentedService.names.map { OpenAPITools.document($0).path }
        let run = try SpawnedProcess(
            executable: try OpenAPITools.tool("openapi-spec-validator"), name: "openapi-spec-validator", documents)
        let termination = try await run.waitForExit(timeout: .seconds(60))
        #expect(termination == .exited(0), "\(run.stdout)\(run.stderr)")
        for document in documents { #expect(run.stdout.contains("\(document): OK"), "\(run.stdout)") }
    }

    @Test(
        "schemathesis finds no server error, no undocumented status, content type or header, no answer off its schema",
        arguments: DocumentedService.names)
    func fuzz(_ name: String) async throws {
        let running = try await DocumentedService.start(name)
        let run = try Schemathesis.run(against: running)
        let termination = try await run.waitForExit(timeout: .seconds(150))
        #expect(termination == .exited(0), "schemathesis against \(name):\n\(run.stdout.suffix(12_000))\(run.stderr)")
    }
}

/// `st run` against a running service, bounded and reproducible.
enum Schemathesis {
    /// Every check of a response against the document; the checks about how data is
    /// generated (`positive_data_acceptance`, …) would need the code lists in the schema.
    static let checks = [
        "not_a_server_error", "status_code_conformance", "content_type_conformance",
        "response_headers_conformance", "response_schema_conformance", "unsupported_method",
    ]

    static func run(against service: DocumentedService) throws -> SpawnedProcess {
        // Portail sends a request without a session to its sign-in page (303) whatever its
        // method, before any route is looked up: an unknown method is no exception, so that a
        // route added later is never reachable without a session.
        var checks = service.name == "portail" ? checks.filter { $0 != "unsupported_method" } : checks
        var arguments = [
            "--config-file", OpenAPITools.repository.appendingPathComponent("Tests/OpenAPI/schemathesis.toml").path,
            "run", service.base + "/openapi.yaml", "--url", service.base, "--seed", "20261201",
            "--max-examples", "15", "--phases", "examples,coverage,fuzzing", "--workers", "1",
            "--generation-database", "none", "--request-timeout", "20", "--max-redirects", "0", "--no-color",
        ]
        if TestSecurity.isOn, let role = service.fuzzingRole {
            arguments += ["-H", "Authorization: Bearer \(TestSecurity.keys.api[role]!)"]
            // Documented security is enforced: without the key, 401.
            checks.append("ignored_auth")
        }
        arguments += ["--checks", checks.joined(separator: ",")]
        // Hypothesis keeps its caches in a scratch folder, not in the working directory.
        return try SpawnedProcess(
            executable: try OpenAPITools.tool("st"), name: "schemathesis", arguments,
            environment: ["HYPOTHESIS_STORAGE_DIRECTORY": scratchDirectory("hypothesis-\(service.name)")])
    }
}
