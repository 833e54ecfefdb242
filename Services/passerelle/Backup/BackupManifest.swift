import Foundation
import Messages

/// `manifest.json` of a backup folder: what was copied, from where, when, and how each copy's
/// outbox and inbox stood, so that an operator can judge it and `restore` can check it.
struct BackupManifest: Codable, Equatable {
    static let fileName = "manifest.json"
    static let currentFormat = 1

    var format: Int
    /// When the backup started (RFC 3339 UTC).
    var createdAt: String
    var host: String
    var databases: [Entry]

    struct Entry: Codable, Equatable {
        /// The database's name in this backup: its data folder's name (`matcher`, `matcher@kayes`).
        var service: String
        /// The service whose file it is (the file's name in its data folder, without `.sqlite`).
        var kind: String
        /// The copy's file name in the backup folder.
        var file: String
        /// The database it was copied from.
        var source: String
        /// When its copy was taken (RFC 3339 UTC).
        var time: String
        var bytes: Int64
        var sha256: String
        /// `PRAGMA integrity_check` of the copy.
        var integrity: String
        var outbox: [String: Int64]
        /// Seq floors of an earlier restore, when there are (``OutboxFloor``).
        var floors: [String: Int64]?
        var inbox: [String: [String: Int64]]
    }

    enum Failure: Error, CustomStringConvertible {
        case unreadable(path: String, reason: String)
        case invalid(field: String, reason: String)

        var description: String {
            switch self {
            case .unreadable(let path, let reason):
                "\(path) : manifeste illisible / unreadable manifest: \(reason)"
            case .invalid(let field, let reason):
                "manifeste, champ « \(field) » / manifest, field '\(field)': \(reason)"
            }
        }
    }

    static func read(folder: String) throws(Failure) -> BackupManifest {
        let path = (folder as NSString).appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: path) else {
            throw .unreadable(
                path: path, reason: "absent : ce n’est pas un dossier de sauvegarde / missing: not a backup folder")
        }
        let manifest: BackupManifest
        do {
            // Messages' decoder names a missing or mistyped field by its JSON path.
            manifest = try CanonicalJSON.decode(BackupManifest.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch let error as MessageError {
            throw .unreadable(path: path, reason: error.description)
        } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
        try manifest.validate()
        return manifest
    }

    /// A manifest names only plain files of its own folder, each once, of known services.
    func validate() throws(Failure) {
        guard format == Self.currentFormat else {
            throw .invalid(
                field: "format", reason: "\(format) inconnu / unknown (this build reads \(Self.currentFormat))")
        }
        guard !databases.isEmpty else { throw .invalid(field: "databases", reason: "vide / empty") }
        var seen: Set<String> = []
        for (index, entry) in databases.enumerated() {
            let field = "databases[\(index)]"
            guard DataFolders.services.contains(entry.kind) else {
                throw .invalid(
                    field: field + ".kind", reason: "« \(entry.kind) » n’est pas un service / is not a service")
            }
            guard Self.isPlainName(entry.file), entry.file.hasSuffix(".sqlite") else {
                throw .invalid(
                    field: field + ".file",
                    reason:
                        "« \(entry.file) » doit être un nom de fichier .sqlite du dossier / must be a .sqlite file name of the folder"
                )
            }
            guard Self.isPlainName(entry.service), seen.insert(entry.service).inserted else {
                throw .invalid(
                    field: field + ".service", reason: "« \(entry.service) » invalide ou en double / invalid or twice")
            }
            // Restore writes there: only a service's own file name, by an absolute, plain path.
            let components = entry.source.split(separator: "/", omittingEmptySubsequences: false)
            guard entry.source.hasPrefix("/"), components.last.map(String.init) == "\(entry.kind).sqlite",
                !components.contains(".."), !components.contains(".")
            else {
                throw .invalid(
                    field: field + ".source",
                    reason: "« \(entry.source) » doit être un chemin absolu vers \(entry.kind).sqlite / "
                        + "must be an absolute path to \(entry.kind).sqlite")
            }
            guard entry.sha256.count == 64, entry.sha256.allSatisfy(\.isHexDigit) else {
                throw .invalid(
                    field: field + ".sha256", reason: "64 chiffres hexadécimaux attendus / 64 hex digits expected")
            }
        }
    }

    /// No path separator, no `..`, no hidden file, no control character.
    static func isPlainName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 200 && !name.contains("/") && !name.hasPrefix(".")
            && !name.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }

    func write(folder: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let path = (folder as NSString).appendingPathComponent(Self.fileName)
        try encoder.encode(self).write(to: URL(fileURLWithPath: path))
        DatabaseFile.sync(path)
    }
}
