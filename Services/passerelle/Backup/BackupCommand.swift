import ArgumentParser
import Foundation
import Messages

/// `passerelle backup DIR`: a consistent copy of every local service's database, taken while
/// the services run, into a new timestamped folder of DIR with a manifest.
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Sauvegarder les bases des services de cet hôte / back up this host's service databases",
        discussion: """
            Copie chaque base avec l’API de sauvegarde en ligne de SQLite pendant que les services \
            tournent, vérifie chaque copie (integrity_check) et écrit DIR/passerelle-backup-<date>/ \
            avec manifest.json (empreintes SHA-256, positions de l’outbox et de l’inbox). Le dossier \
            n’a son nom définitif qu’une fois complet.
            Copies each database with SQLite's online backup API while the services run, checks \
            each copy (integrity_check) and writes DIR/passerelle-backup-<date>/ with manifest.json \
            (SHA-256 digests, outbox and inbox positions). The folder gets its final name only once complete.
            """)

    @Argument(help: "Dossier où créer la sauvegarde / folder to create the backup in")
    var directory: String

    @Option(
        name: .customLong("data-dir"),
        help: ArgumentHelp(
            "Dossier de données : la racine (data/, /var/lib/passerelle) ou celui d’un service ; répétable "
                + "(env PASSERELLE_DATA_DIR ; défaut : data puis /var/lib/passerelle) / data folder: the root "
                + "or one service's; repeatable", valueName: "DIR"))
    var dataDirectories: [String] = []

    func run() throws {
        let folders = DataFolders.folders(given: dataDirectories, environment: ProcessInfo.processInfo.environment)
        let databases: [DataFolders.Database]
        do { databases = try DataFolders.find(in: folders) } catch {
            Terminal.error("passerelle backup : \(error)")
            throw ExitCode(1)
        }
        Terminal.error(
            "passerelle backup : \(databases.count) base(s) trouvée(s) / database(s) found in \(folders.joined(separator: ", ")):"
        )
        for database in databases { Terminal.error("  \(database.label): \(database.path)") }
        do {
            let folder = try BackupWriter(parent: directory, databases: databases).write()
            Terminal.print(folder)
        } catch {
            Terminal.error(
                "passerelle backup : échec, aucune sauvegarde complète écrite / failed, no complete backup written: \(error)"
            )
            throw ExitCode(1)
        }
    }
}

/// Writes one backup folder: under a hidden temporary name, renamed once every copy is in,
/// checked, and described in the manifest.
struct BackupWriter {
    let parent: String
    let databases: [DataFolders.Database]
    var now: () -> Timestamp = { .now }

    enum Failure: Error, CustomStringConvertible {
        case integrity(label: String, report: String)
        case exists(String)

        var description: String {
            switch self {
            case .integrity(let label, let report):
                "\(label) : la copie échoue à integrity_check / the copy fails integrity_check: \(report)"
            case .exists(let path): "\(path) existe déjà / already exists"
            }
        }
    }

    /// Returns the backup folder's path.
    func write() throws -> String {
        let started = now()
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        let name = "passerelle-backup-" + Self.stamp(started)
        let final = (parent as NSString).appendingPathComponent(name)
        let partial = (parent as NSString).appendingPathComponent(".\(name).partial")
        guard !FileManager.default.fileExists(atPath: final) else { throw Failure.exists(final) }
        // Copies hold personal data: only the operator's account reads them.
        try FileManager.default.createDirectory(
            atPath: partial, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        do {
            var entries: [BackupManifest.Entry] = []
            for database in databases { entries.append(try copy(database, into: partial)) }
            let manifest = BackupManifest(
                format: BackupManifest.currentFormat, createdAt: started.rfc3339,
                host: ProcessInfo.processInfo.hostName, databases: entries)
            try manifest.write(folder: partial)
            DatabaseFile.sync(partial)
            try FileManager.default.moveItem(atPath: partial, toPath: final)
            DatabaseFile.sync(parent)
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            throw error
        }
        return final
    }

    private func copy(_ database: DataFolders.Database, into folder: String) throws -> BackupManifest.Entry {
        let file = "\(database.label).sqlite"
        let path = (folder as NSString).appendingPathComponent(file)
        let time = now()
        try DatabaseFile.snapshot(database.path, to: path)
        let integrity = try DatabaseFile.integrity(path)
        guard integrity == "ok" else { throw Failure.integrity(label: database.label, report: integrity) }
        let positions = try DatabaseFile.positions(path)
        DatabaseFile.sync(path)
        let bytes = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0
        let entry = BackupManifest.Entry(
            service: database.label, kind: database.service, file: file, source: database.path, time: time.rfc3339,
            bytes: bytes, sha256: try DatabaseFile.sha256(path), integrity: integrity, outbox: positions.outbox,
            floors: positions.floors.isEmpty ? nil : positions.floors, inbox: positions.inbox)
        Terminal.error(
            "  \(database.label) : copie vérifiée / copy checked, \(bytes) octets/bytes"
                + (positions.outbox.isEmpty ? "" : ", outbox: \(DatabaseFile.listed(positions.outbox))")
                + (positions.floors.isEmpty ? "" : ", seuils / floors: \(DatabaseFile.listed(positions.floors))"))
        return entry
    }

    /// `20261201T081503.123Z`: sortable, one per millisecond, no colon (safe in any file system).
    static func stamp(_ time: Timestamp) -> String {
        time.rfc3339.replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
    }
}
