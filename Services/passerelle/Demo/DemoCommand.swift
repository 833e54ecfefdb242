import ArgumentParser
import Foundation
import Importing
import Messages

/// `passerelle demo`: realistic offers and candidates, posted to the registries or written as CSV.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Créer un jeu de données de démonstration / create a demo data set",
        discussion: """
            Les mêmes --seed donnent les mêmes données ; relancer ne crée rien de nouveau. \
            --write DIR écrit offers.csv et candidates.csv (format d’import) au lieu de les envoyer.
            The same --seed gives the same data; running again creates nothing new. \
            --write DIR writes offers.csv and candidates.csv (the import format) instead of posting.
            """)

    @Option(help: ArgumentHelp("Nombre d’offres / number of offers", valueName: "N"))
    var offers = 60

    @Option(help: ArgumentHelp("Nombre de candidats / number of candidates", valueName: "N"))
    var candidates = 3000

    @Option(help: ArgumentHelp("Graine du générateur / generator seed", valueName: "S"))
    var seed: UInt64 = 1

    @Option(
        help: ArgumentHelp(
            "Écrire des CSV dans DIR au lieu d’envoyer / write CSV files to DIR instead of posting", valueName: "DIR"))
    var write: String?

    @OptionGroup var registry: RegistryOptions

    func validate() throws {
        guard offers >= 0, candidates >= 0 else {
            throw ValidationError("--offers et --candidates doivent être ≥ 0 / must be ≥ 0")
        }
    }

    func run() async throws {
        let generator = DemoGenerator(seed: seed, today: LocalDate(Timestamp.now))
        let counts: [(RecordKind, Int)] = [(.offer, offers), (.candidate, candidates)]
        if let write {
            try writeFiles(generator: generator, counts: counts, directory: write)
            return
        }
        var status: Int32 = 0
        for (kind, count) in counts where count > 0 {
            let started = ContinuousClock.now
            do throws(ImportError) {
                let tally = try await post(generator: generator, kind: kind, count: count)
                var summary = ImportSummary(tally: tally, rejectsPath: nil, elapsed: ContinuousClock.now - started)
                summary.verbFR = "démo \(kind.pluralFR)"
                summary.verbEN = "demo \(kind.pluralEN)"
                Terminal.print(summary.text)
                status = max(status, tally.exitStatus)
            } catch {
                throw error.exit()
            }
        }
        if status != 0 { throw ExitCode(status) }
    }

    private func post(generator: DemoGenerator, kind: RecordKind, count: Int) async throws(ImportError) -> ImportTally {
        let url = registry.url(for: kind)
        let concurrency = registry.concurrency
        let apiKey = registry.key()
        let bar = Terminal.stderrIsTTY ? ProgressBar(total: count) : nil
        var source = DemoRowSource(generator: generator, kind: kind, count: count)
        var rejects = TerminalRejects()
        defer { bar?.finish() }
        let tally = try await RegistryConnection.withClient(concurrency: concurrency) { client throws(ImportError) in
            var importer = Importer(
                kind: kind, sender: try HTTPRecordSender(baseURL: url, client: client, apiKey: apiKey),
                concurrency: concurrency)
            importer.registryURL = url
            if let bar { importer.onProgress = { bar.update($0) } }
            return try await importer.run(&source, rejects: &rejects)
        }
        return tally
    }

    private func writeFiles(generator: DemoGenerator, counts: [(RecordKind, Int)], directory: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ImportError.unwritableFile(path: directory, reason: "\(error)").exit()
        }
        for (kind, count) in counts {
            let path = URL(fileURLWithPath: directory).appendingPathComponent("\(kind.rawValue)s.csv").path
            do {
                try DemoCSVWriter.write(generator: generator, kind: kind, count: count, to: path)
            } catch {
                throw error.exit()
            }
            Terminal.print(
                "écrit : \(count) \(kind.pluralFR) dans \(path) / written: \(count) \(kind.pluralEN) to \(path)")
        }
    }
}
