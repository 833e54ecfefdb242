import AsyncHTTPClient
import Foundation
import Importing
import Logging
import Synchronization

/// Bulk imports started from Portail. Each runs the shared importer, with the rules of
/// `passerelle import` (columns, conversions, idempotency keys from the row's content, the
/// rejects file), in the background, acting for the officer who uploaded the file.
///
/// Jobs live in memory: a restart forgets them, and importing the same file again creates
/// nothing twice (each row's key is its hash). The uploaded file holds personal data: it is
/// deleted as soon as its import ends. The rejects file is kept for `retention`, for its
/// officer only, then deleted, or earlier when the officer deletes it.
final class ImportJobs: Sendable {
    enum State: Sendable, Equatable {
        case running
        case done
        /// The import stopped before the end: why, « français / English ».
        case stopped(String)
    }

    struct Job: Sendable {
        let id: String
        let officer: String
        let kind: RecordKind
        let fileName: String
        let startedAt: Date
        /// Data rows in the file, counted by lines (a cell across lines makes it an estimate).
        let expectedRows: Int
        var tally = ImportTally()
        var state = State.running
        var finishedAt: Date?
        /// Rows in the rejects file (0: no file).
        var rejects = 0
    }

    /// Why an upload is not imported, « français / English », shown next to the file field.
    struct Refusal: Error {
        let message: String
    }

    let folder: String
    let owners: OwnerClient
    let maxRunning: Int
    let retention: TimeInterval
    let logger: Logger
    private let jobs = Mutex<[String: Job]>([:])

    /// `folder` is Portail's own (under its data folder): what an earlier run left there, with
    /// no job to own it, is deleted.
    init(
        folder: String, owners: OwnerClient, maxRunning: Int = 4, retention: TimeInterval = 86_400, logger: Logger
    )
        throws
    {
        let files = FileManager.default
        if files.fileExists(atPath: folder) { try files.removeItem(atPath: folder) }
        try files.createDirectory(
            atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        self.folder = folder
        self.owners = owners
        self.maxRunning = maxRunning
        self.retention = retention
        self.logger = logger
    }

    func uploadPath(_ id: String) -> String { "\(folder)/\(id).upload" }
    func rejectsPath(_ id: String) -> String { "\(folder)/\(id).rejets.csv" }

    /// The officer's job, or nil: another officer's job is not found either.
    func job(_ id: String, of officer: String) -> Job? {
        jobs.withLock { $0[id] }.flatMap { $0.officer == officer ? $0 : nil }
    }

    /// The officer's jobs, newest first.
    func jobs(of officer: String) -> [Job] {
        purgeExpired()
        return jobs.withLock { Array($0.values) }.filter { $0.officer == officer }.sorted {
            $0.startedAt > $1.startedAt
        }
    }

    /// Checks the upload's header at once (an unknown column refuses the whole file before any
    /// row is sent), then imports it in the background. Returns the job's id.
    func start(_ upload: [UInt8], fileName: String, kind: RecordKind, officer: String) throws(Refusal) -> String {
        purgeExpired()
        let running = jobs.withLock { $0.values.filter { $0.state == .running } }
        guard running.count < maxRunning else {
            throw Refusal(
                message: "Trop d’imports en cours ; réessayez dans quelques minutes. "
                    + "/ Too many imports running; try again in a few minutes.")
        }
        guard !running.contains(where: { $0.officer == officer }) else {
            throw Refusal(
                message: "Un de vos imports est déjà en cours ; attendez qu’il finisse. "
                    + "/ One of your imports is still running; wait until it ends.")
        }
        let id = Accounts.token()
        let path = uploadPath(id)
        guard
            FileManager.default.createFile(atPath: path, contents: Data(upload), attributes: [.posixPermissions: 0o600])
        else { throw Refusal(message: "Fichier impossible à enregistrer. / The file could not be saved.") }
        let format = InputFormat(path: fileName) ?? .csv
        do throws(ImportError) {
            // Opened once here for its header only: the import opens it again.
            _ = try format.source(path: path, kind: kind)
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw Refusal(message: Self.message(error))
        }
        let lines = LineReader.countLines(path: path) ?? 0
        let job = Job(
            id: id, officer: officer, kind: kind, fileName: fileName, startedAt: Date(),
            expectedRows: format == .csv ? max(0, lines - 1) : lines)
        jobs.withLock { $0[id] = job }
        logger.info(
            "import started",
            metadata: [
                "job": "\(id.prefix(8))", "officer": "\(officer)", "kind": "\(kind.rawValue)",
                "rows": "\(job.expectedRows)",
            ])
        Task { await self.run(id, format: format, kind: kind, officer: officer) }
        return id
    }

    /// Forgets a finished job and deletes its rejects file. False when there is no such job
    /// of this officer, or it is still running.
    func delete(_ id: String, of officer: String) -> Bool {
        let removed = jobs.withLock { jobs -> Bool in
            guard let job = jobs[id], job.officer == officer, job.state != .running else { return false }
            jobs[id] = nil
            return true
        }
        if removed { try? FileManager.default.removeItem(atPath: rejectsPath(id)) }
        return removed
    }

    private func run(_ id: String, format: InputFormat, kind: RecordKind, officer: String) async {
        let path = uploadPath(id)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let url = kind == .offer ? owners.offers : owners.candidates
        var outcome = State.done
        var tally: ImportTally?
        var rejectsCount = 0
        do throws(ImportError) {
            var source = try format.source(path: path, kind: kind)
            var rejects = RejectsFile(path: rejectsPath(id), echoHeader: source.echoHeader)
            var sender = try HTTPRecordSender(
                baseURL: url, client: .shared, retry: RetryPolicy(attempts: 3), apiKey: owners.apiKey)
            sender.headers = ["X-Passerelle-Officer": officer]
            var importer = Importer(kind: kind, sender: sender, concurrency: 4)
            importer.registryURL = url
            importer.onProgress = { tally in self.jobs.withLock { $0[id]?.tally = tally } }
            do throws(ImportError) {
                tally = try await importer.run(&source, rejects: &rejects)
            } catch {
                if case .registryLost(_, _, _, _, let partial) = error { tally = partial }
                outcome = .stopped(Self.message(error))
            }
            try rejects.finish()
            rejectsCount = rejects.count
        } catch {
            outcome = .stopped(Self.message(error))
        }
        jobs.withLock {
            if let tally { $0[id]?.tally = tally }
            $0[id]?.state = outcome
            $0[id]?.finishedAt = Date()
            $0[id]?.rejects = rejectsCount
        }
        let final = jobs.withLock { $0[id]?.tally } ?? ImportTally()
        logger.info(
            "import ended",
            metadata: [
                "job": "\(id.prefix(8))", "created": "\(final.created)", "alreadyPresent": "\(final.alreadyPresent)",
                "rejected": "\(final.rejected)", "failed": "\(final.failed)", "stopped": "\(outcome != .done)",
            ])
    }

    /// Finished jobs older than `retention` go, with their rejects file.
    private func purgeExpired() {
        let limit = Date().addingTimeInterval(-retention)
        let expired = jobs.withLock { jobs -> [String] in
            let ids = jobs.values.filter { ($0.finishedAt ?? .distantFuture) < limit }.map(\.id)
            for id in ids { jobs[id] = nil }
            return ids
        }
        for id in expired { try? FileManager.default.removeItem(atPath: rejectsPath(id)) }
    }

    /// What stopped an import, for an officer at a screen (the CLI's words name its flags).
    static func message(_ error: ImportError) -> String {
        switch error {
        case .unreadableFile(_, let reason):
            "Fichier illisible (\(reason)). / Unreadable file (\(reason))."
        case .unknownColumn, .repeatedColumn:
            error.description
        case .unknownFormat, .rejectsOverwriteInput, .invalidURL, .unwritableFile:
            "Import impossible : \(error.description)"
        case .registryUnreachable:
            "Le registre ne répond pas ; aucune ligne n’a été importée. Réessayez plus tard. "
                + "/ The registry does not answer; no row was imported. Try again later."
        case .registryLost(_, _, let notTried, _, _):
            "Le registre a cessé de répondre ; \(notTried) lignes n’ont pas été essayées. Importez à nouveau le même "
                + "fichier : les lignes déjà créées ne le seront pas deux fois. / The registry stopped answering; "
                + "\(notTried) rows were not tried. Import the same file again: rows already created are not created twice."
        case .notAuthorized(_, let status, _):
            "Le registre refuse la clé du portail (HTTP \(status)) : prévenez l’administrateur. "
                + "/ The registry refuses Portail's key (HTTP \(status)): tell the administrator."
        }
    }
}
