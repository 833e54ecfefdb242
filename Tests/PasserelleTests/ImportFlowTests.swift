import Foundation
import Messages
import NIOCore
import Testing

@testable import Importing
@testable import passerelle

@Suite("Importing against a real HTTP server")
struct ImportFlowTests {
    static let offersCSV = """
        title,occupation,country,positions,salary.amount,salary.currency,salary.period,conditions.workerFees
        Maçon — Dakar,7112,SN,3,150000,XOF,month,0
        Cuisinier — Doha,5120,QA,abc,2000,QAR,month,0
        refusé,9211,ES,10,1400,EUR,month,0
        Soudeur — Hamburg,7212,DE,2,2900,EUR,month,0

        Serveur — Agadir,,MA,4,3600,MAD,month,0
        Chauffeur — Dubaï,8322,AE,5,2500,AED,month,0

        """

    private func run(
        _ file: String, registry: String, kind: RecordKind = .offer, format: InputFormat = .csv,
        concurrency: Int = 3
    ) async throws -> ImportTally {
        var run = ImportRun(
            kind: kind, file: file, format: format, rejectsPath: RejectsFile.defaultPath(for: file),
            registryURL: registry, concurrency: concurrency)
        run.retry = RetryPolicy(attempts: 3, firstDelay: .milliseconds(1), requestTimeout: .seconds(10))
        return try await run.run()
    }

    @Test("a CSV import creates, rejects with line numbers, and a rerun creates nothing new")
    func csvImport() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let registry = try await FakeRegistry()
        let file = try directory.file("offres.csv", Self.offersCSV)

        let first = try await run(file, registry: registry.url)
        #expect(first == ImportTally(created: 3, alreadyPresent: 0, rejected: 3, failed: 0))
        #expect(first.exitStatus == 1)
        // The bad integer was never sent: 5 requests for 6 rows.
        #expect(registry.received.count == 5)
        #expect(registry.received.allSatisfy { $0.path == "/offers" })
        let sent = try #require(registry.received.first { $0.body?["title"] == .string("Maçon — Dakar") })
        #expect(
            sent.body
                == .object([
                    "title": .string("Maçon — Dakar"), "occupation": .string("7112"), "country": .string("SN"),
                    "positions": .int(3),
                    "salary": .object([
                        "amount": .int(150_000), "currency": .string("XOF"), "period": .string("month"),
                    ]),
                    "conditions": .object(["workerFees": .int(0)]),
                ]))
        #expect(sent.idempotencyKey == Importer.idempotencyKey(kind: .offer, body: try CanonicalJSON.encode(sent.body)))

        let rejectsPath = RejectsFile.defaultPath(for: file)
        let rejects = try String(contentsOfFile: rejectsPath, encoding: .utf8)
            .split(separator: "\n").map(String.init)
        #expect(rejects.count == 4)
        #expect(rejects[0] == "line,field,code,message," + Self.offersCSV.split(separator: "\n")[0])
        let byLine = Dictionary(uniqueKeysWithValues: rejects.dropFirst().map { ($0.split(separator: ",")[0], $0) })
        #expect(byLine["3"]?.hasPrefix("3,positions,invalid-value,") == true)
        #expect(byLine["3"]?.hasSuffix(",Cuisinier — Doha,5120,QA,abc,2000,QAR,month,0") == true)
        #expect(byLine["4"] == "4,title,invalid-field,titre refusé,refusé,9211,ES,10,1400,EUR,month,0")
        #expect(byLine["7"]?.hasPrefix("7,,missing-field,occupation?,Serveur — Agadir,,MA") == true)

        let second = try await run(file, registry: registry.url)
        #expect(second == ImportTally(created: 0, alreadyPresent: 3, rejected: 3, failed: 0))
        #expect(registry.createdCount == 3)
        try await registry.stop()
    }

    @Test("a corrected rejects file imports again, and the stale rejects file goes")
    func reimportRejects() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let registry = try await FakeRegistry()
        let file = try directory.file("offres.csv", Self.offersCSV)
        _ = try await run(file, registry: registry.url)
        let rejectsPath = RejectsFile.defaultPath(for: file)
        let corrected = try String(contentsOfFile: rejectsPath, encoding: .utf8)
            .replacingOccurrences(of: ",abc,", with: ",2,")
            .replacingOccurrences(of: "refusé,9211", with: "Cueilleur,9211")
            .replacingOccurrences(of: "Agadir,,MA", with: "Agadir,5131,MA")
        let fixed = try directory.file("corrige.csv", corrected)
        let tally = try await run(fixed, registry: registry.url)
        #expect(tally == ImportTally(created: 3, alreadyPresent: 0, rejected: 0, failed: 0))
        #expect(!FileManager.default.fileExists(atPath: RejectsFile.defaultPath(for: fixed)))
        #expect(registry.createdCount == 6)
        try await registry.stop()
    }

    @Test("JSON lines are posted as they are; rejects keep the line")
    func jsonLines() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let registry = try await FakeRegistry()
        let file = try directory.file(
            "c.jsonl", "{\"birthYear\":1990,\"gender\":\"F\"}\n\n{broken\n{\"birthYear\":1985}\n")
        let tally = try await run(file, registry: registry.url, kind: .candidate, format: .jsonl)
        #expect(tally == ImportTally(created: 2, alreadyPresent: 0, rejected: 1, failed: 0))
        #expect(registry.received.map(\.path) == ["/candidates", "/candidates"])
        let rejects = try String(contentsOfFile: RejectsFile.defaultPath(for: file), encoding: .utf8)
        #expect(rejects.hasPrefix("line,field,code,message,row\n3,,invalid-json,"))
        #expect(rejects.hasSuffix(",{broken\n"))
        try await registry.stop()
    }

    @Test("server errors are retried, then the row counts")
    func retries() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let registry = try await FakeRegistry(failFirst: 2)
        let file = try directory.file("c.jsonl", "{\"birthYear\":1990}\n")
        let tally = try await run(file, registry: registry.url, kind: .candidate, format: .jsonl)
        #expect(tally == ImportTally(created: 1, alreadyPresent: 0, rejected: 0, failed: 0))
        #expect(registry.received.count == 3)
        try await registry.stop()
    }

    @Test("a registry failing past the retries counts as a failure, in the rejects file")
    func serverErrorFailure() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let registry = try await FakeRegistry(failFirst: 100)
        let file = try directory.file("c.jsonl", "{\"birthYear\":1990}\n")
        let tally = try await run(file, registry: registry.url, kind: .candidate, format: .jsonl)
        #expect(tally == ImportTally(created: 0, alreadyPresent: 0, rejected: 0, failed: 1))
        #expect(tally.exitStatus == 1)
        let rejects = try String(contentsOfFile: RejectsFile.defaultPath(for: file), encoding: .utf8)
        #expect(rejects.contains("\n1,,server-error,"))
        try await registry.stop()
    }

    @Test("a registry that cannot be reached at all stops the import with status 69")
    func unreachable() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let url = try await FakeRegistry.closedURL()
        // A row rejected before any request says nothing about the registry.
        let file = try directory.file("c.jsonl", "{oops\n{\"birthYear\":1990}\n{\"birthYear\":1991}\n")
        await #expect {
            _ = try await run(file, registry: url, kind: .candidate, format: .jsonl)
        } throws: { error in
            guard let error = error as? ImportError, case .registryUnreachable = error else { return false }
            return error.exitStatus == 69
        }
    }

    @Test("an unknown column stops the import before any request")
    func unknownColumn() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let registry = try await FakeRegistry()
        let file = try directory.file("o.csv", "title,salaire\nMaçon,100\n")
        await #expect(throws: ImportError.unknownColumn(name: "salaire", kind: .offer)) {
            _ = try await run(file, registry: registry.url)
        }
        #expect(registry.received.isEmpty)
        try await registry.stop()
    }

    @Test("demo rows are posted with demo keys; a second run creates nothing")
    func demo() async throws {
        let registry = try await FakeRegistry()
        let generator = DemoGenerator(seed: 5, today: try LocalDate("2026-11-29"))
        try await RegistryConnection.withClient { client throws(ImportError) in
            let sender = try HTTPRecordSender(baseURL: registry.url, client: client)
            let importer = Importer(kind: .candidate, sender: sender, concurrency: 4)
            for expected in [ImportTally(created: 20), ImportTally(alreadyPresent: 20)] {
                var source = DemoRowSource(generator: generator, kind: .candidate, count: 20)
                var rejects = TerminalRejects()
                let tally = try await importer.run(&source, rejects: &rejects)
                #expect(tally == expected)
            }
        }
        #expect(Set(registry.received.compactMap(\.idempotencyKey)) == Set((0..<20).map { "demo-candidate-5-\($0)" }))
        try await registry.stop()
    }
}
