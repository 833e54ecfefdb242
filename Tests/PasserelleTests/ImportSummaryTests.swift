import ArgumentParser
import Testing

@testable import Importing
@testable import passerelle

@Suite("What the officer reads at the end: French first, then English; exit statuses")
struct ImportSummaryTests {
    @Test("the summary counts each outcome and points to the rejects file")
    func summary() {
        let tally = ImportTally(created: 98, alreadyPresent: 2, rejected: 3, failed: 0)
        let text = ImportSummary(tally: tally, rejectsPath: "f.csv.rejects.csv", elapsed: .seconds(2)).text
        #expect(
            text
                == "importé : 98 créés, 2 déjà présents, 3 rejetés (voir f.csv.rejects.csv) en 2,0 s (51,5 lignes/s)"
                + " / imported: 98 created, 2 already present, 3 rejected (see f.csv.rejects.csv)"
                + " in 2.0 s (51.5 rows/s)"
        )
    }

    @Test("failures are said, and no rejects file is named when nothing was rejected")
    func failures() {
        let failed = ImportSummary(
            tally: ImportTally(created: 1, failed: 2), rejectsPath: "r.csv", elapsed: .seconds(1))
        #expect(failed.text.contains("2 en échec"))
        #expect(failed.text.contains("2 failed"))
        let clean = ImportSummary(tally: ImportTally(created: 1), rejectsPath: "r.csv", elapsed: .seconds(1))
        #expect(!clean.text.contains("r.csv"))
    }

    @Test("exit status: 0 all in, 1 rejects or failures, 64 usage, 69 unreachable")
    func exitStatuses() {
        #expect(ImportTally(created: 3, alreadyPresent: 2).exitStatus == 0)
        #expect(ImportTally(created: 3, rejected: 1).exitStatus == 1)
        #expect(ImportTally(created: 3, failed: 1).exitStatus == 1)
        #expect(ImportError.unknownFormat(path: "x").exitStatus == 64)
        #expect(ImportError.rejectsOverwriteInput(path: "x").exitStatus == 64)
        #expect(ImportError.registryUnreachable(url: "u", reason: "r").exitStatus == 69)
    }

    @Test("registry URLs: flag, then environment, then default")
    func registryURLs() throws {
        let environment = ["PASSERELLE_CANDIDATE_REGISTRY_URL": "http://registre:9000"]
        let defaults = try RegistryOptions.parse([])
        #expect(defaults.url(for: .offer, environment: environment) == "http://127.0.0.1:8081")
        #expect(defaults.url(for: .candidate, environment: environment) == "http://registre:9000")
        let flagged = try RegistryOptions.parse(["--candidate-registry", "http://autre:1"])
        #expect(flagged.url(for: .candidate, environment: environment) == "http://autre:1")
        #expect(throws: (any Error).self) { try RegistryOptions.parse(["--concurrency", "0"]) }
    }
}
