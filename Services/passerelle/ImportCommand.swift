import ArgumentParser
import Foundation
import Importing

/// `passerelle import offers|candidates FILE`.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Importer des offres ou des candidats d’un fichier CSV ou JSON lines / "
            + "import offers or candidates from a CSV or JSON lines file",
        discussion: """
            CSV : une ligne d’en-tête avec les chemins des champs (employer.name, salary.amount…) ; \
            cellule vide = champ absent ; listes séparées par « ; » ; langues fr:B2;bm:C2. \
            Les lignes refusées vont dans FILE.rejects.csv, à corriger et réimporter. \
            Réimporter le même fichier ne crée rien de nouveau.
            CSV: a header row of field paths; empty cell = absent field; lists separated by ";"; \
            languages fr:B2;bm:C2. Rejected rows go to FILE.rejects.csv, to fix and import again. \
            Importing the same file again creates nothing new.
            Sortie / exit: 0 tout importé / all imported, 1 lignes rejetées / rows rejected, \
            64 erreur d’usage / usage error, 69 registre injoignable / registry unreachable, \
            77 clé d’API refusée / API key refused.
            """,
        subcommands: [Offers.self, Candidates.self])

    struct Offers: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Importer des offres d’emploi / import job offers")
        @OptionGroup var options: ImportOptions

        func run() async throws { try await options.run(kind: .offer) }
    }

    struct Candidates: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Importer des candidats / import candidates")
        @OptionGroup var options: ImportOptions

        func run() async throws { try await options.run(kind: .candidate) }
    }
}

/// What `import offers` and `import candidates` share.
struct ImportOptions: ParsableArguments {
    @Argument(help: "Fichier CSV ou JSON lines / CSV or JSON lines file")
    var file: String

    @OptionGroup var registry: RegistryOptions

    @Option(
        help: ArgumentHelp(
            "Fichier des rejets (défaut FILE.rejects.csv à côté de l’entrée) / rejects file (default beside the input)",
            valueName: "FILE"))
    var rejects: String?

    @Option(help: "csv ou jsonl (défaut : selon l’extension) / csv or jsonl (default: by extension)")
    var format: InputFormat?

    func run(kind: RecordKind) async throws {
        let started = ContinuousClock.now
        let rejectsPath = rejects ?? RejectsFile.defaultPath(for: file)
        let tally: ImportTally
        do {
            guard let format = format ?? InputFormat(path: file) else { throw ImportError.unknownFormat(path: file) }
            guard Self.canonicalPath(rejectsPath) != Self.canonicalPath(file) else {
                throw ImportError.rejectsOverwriteInput(path: file)
            }
            tally = try await ImportRun(
                kind: kind, file: file, format: format, rejectsPath: rejectsPath,
                registryURL: registry.url(for: kind), concurrency: registry.concurrency,
                showProgress: Terminal.stderrIsTTY, apiKey: registry.key()
            ).run()
        } catch let error as ImportError {
            if case .registryLost(_, _, _, _, let tally) = error {
                Terminal.print(
                    ImportSummary(tally: tally, rejectsPath: rejectsPath, elapsed: ContinuousClock.now - started).text)
            }
            throw error.exit()
        }
        Terminal.print(
            ImportSummary(tally: tally, rejectsPath: rejectsPath, elapsed: ContinuousClock.now - started).text)
        if tally.exitStatus != 0 { throw ExitCode(tally.exitStatus) }
    }
}

extension ImportOptions {
    fileprivate static func canonicalPath(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }
}

extension InputFormat: ExpressibleByArgument {}

/// One import of one file, from reading to the rejects file; what the command and the tests run.
struct ImportRun {
    let kind: RecordKind
    let file: String
    let format: InputFormat
    let rejectsPath: String
    let registryURL: String
    let concurrency: Int
    var showProgress = false
    var apiKey: String?
    var retry = RetryPolicy()

    func run() async throws(ImportError) -> ImportTally {
        // The whole file is checked to open, and the CSV header, before any request.
        var source = try format.source(path: file, kind: kind)
        var rejects = RejectsFile(path: rejectsPath, echoHeader: source.echoHeader)
        let bar = showProgress ? ProgressBar(total: LineReader.countLines(path: file).map { rowCount(lines: $0) }) : nil
        // The bar is cleared whatever happens, so that an error message starts on a clean line.
        defer { bar?.finish() }
        let tally: ImportTally
        do throws(ImportError) {
            tally = try await RegistryConnection.withClient(concurrency: concurrency) { client throws(ImportError) in
                let sender = try HTTPRecordSender(baseURL: registryURL, client: client, retry: retry, apiKey: apiKey)
                var importer = Importer(kind: kind, sender: sender, concurrency: concurrency)
                importer.registryURL = registryURL
                if let bar { importer.onProgress = { bar.update($0) } }
                return try await importer.run(&source, rejects: &rejects)
            }
        } catch {
            // The rows rejected before the stop stay on file; an earlier run's file is left as it was.
            if rejects.count > 0 { try? rejects.finish() }
            throw error
        }
        try rejects.finish()
        return tally
    }

    private func rowCount(lines: Int) -> Int { format == .csv ? max(0, lines - 1) : lines }
}
