import ArgumentParser
import Foundation
import Messages
import NIOCore
import Testing

@testable import Importing
@testable import passerelle

/// What stops an import at once: a registry that goes away, and one that refuses the API key.
@Suite("Stopping an import")
struct ImportStopTests {
    private func run(_ file: String, registry: String, apiKey: String? = nil) async throws -> ImportTally {
        var run = ImportRun(
            kind: .candidate, file: file, format: .jsonl, rejectsPath: RejectsFile.defaultPath(for: file),
            registryURL: registry, concurrency: 4, apiKey: apiKey)
        run.retry = RetryPolicy(attempts: 3, firstDelay: .milliseconds(10), requestTimeout: .seconds(10))
        return try await run.run()
    }

    private func rows(_ count: Int) -> String {
        (0..<count).map { #"{"birthYear":\#(1950 + $0 % 50),"n":\#($0)}"# + "\n" }.joined()
    }

    @Test("a registry gone mid-import stops it with 69; untried rows are counted, not written as rejects")
    func registryGone() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let registry = try await FakeRegistry(dieAfter: 30)
        let file = try directory.file("c.jsonl", rows(500))
        let started = ContinuousClock.now
        do {
            _ = try await run(file, registry: registry.url)
            Issue.record("the import went on without its registry")
        } catch let error as ImportError {
            guard case .registryLost(_, _, let notTried, let resumeLine, let tally) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(error.exitStatus == 69)
            #expect(tally.created == 30)
            #expect(tally.created + notTried == 500, "every row is either created or counted as not tried")
            // Rows go out several at a time, so answers may come back out of order: the resume line is
            // the first row without an answer, never beyond the 31st (30 answered), and a rerun skips
            // what was created already (idempotency keys).
            #expect((2...31).contains(resumeLine), "resume at the first row not answered: \(resumeLine)")
            #expect(error.description.contains("ligne \(resumeLine)"))
            #expect(error.description.contains("\(notTried) rows not tried"))
        }
        #expect(ContinuousClock.now - started < .seconds(30))
        #expect(
            !FileManager.default.fileExists(atPath: RejectsFile.defaultPath(for: file)), "no untried row is a reject")
        #expect(registry.received.count < 100, "stopped sending: \(registry.received.count) requests")
    }

    @Test("rows rejected before the registry went away stay in the rejects file; untried ones do not")
    func rejectsKept() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let registry = try await FakeRegistry(dieAfter: 10)
        let file = try directory.file("c.jsonl", "{broken\n" + rows(100))
        await #expect(throws: ImportError.self) { _ = try await run(file, registry: registry.url) }
        let rejects = try String(contentsOfFile: RejectsFile.defaultPath(for: file), encoding: .utf8)
        #expect(rejects.split(separator: "\n").count == 2, "the header and the broken row: \(rejects)")
    }

    @Test("the API key goes as Authorization: Bearer on every request")
    func apiKeySent() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let registry = try await FakeRegistry(apiKey: "sésame-k3y".replacingOccurrences(of: "é", with: "e"))
        let file = try directory.file("c.jsonl", rows(20))
        let tally = try await run(file, registry: registry.url, apiKey: "sesame-k3y")
        #expect(tally.created == 20)
        #expect(registry.received.allSatisfy { $0.authorization == "Bearer sesame-k3y" })
        try await registry.stop()
    }

    @Test("a 401 stops the import at once with 77, and no row is a reject for it", arguments: [nil, "wrong"])
    func refusedKey(_ key: String?) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let registry = try await FakeRegistry(apiKey: "sesame")
        let file = try directory.file("c.jsonl", rows(200))
        await #expect {
            _ = try await run(file, registry: registry.url, apiKey: key)
        } throws: { error in
            guard let error = error as? ImportError, case .notAuthorized(_, let status, _) = error else { return false }
            return status == 401 && error.exitStatus == 77 && error.description.contains("--api-key")
        }
        #expect(registry.received.count <= 8, "stopped at once: \(registry.received.count) requests")
        #expect(!FileManager.default.fileExists(atPath: RejectsFile.defaultPath(for: file)))
        try await registry.stop()
    }

    @Test("--api-key, else PASSERELLE_API_KEY; a key that cannot go in a header is refused")
    func apiKeyOption() throws {
        let given = try RegistryOptions.parse(["--api-key", "abc"])
        #expect(given.key(environment: ["PASSERELLE_API_KEY": "env"]) == "abc")
        let none = try RegistryOptions.parse([])
        #expect(none.key(environment: ["PASSERELLE_API_KEY": "env"]) == "env")
        #expect(none.key(environment: ["PASSERELLE_API_KEY": ""]) == nil)
        #expect(throws: (any Error).self) { try RegistryOptions.parse(["--api-key", "a b"]) }
        #expect(throws: (any Error).self) { try RegistryOptions.parse(["--api-key", "a\r\nX-Evil: 1"]) }
    }
}
