import Crypto
import Foundation
import GRDB
import Messages
import ServiceKit
import Testing

/// `passerelle backup` and `passerelle restore` run as the operator runs them, and what the
/// tests read in the services' SQLite files (read-only, while the services run).
enum BackupTool {
    /// Runs `passerelle backup DIR --data-dir …`; returns the backup folder it printed.
    static func backup(into directory: String, dataDirectories: [String]) async throws -> String {
        let run = try SpawnedProcess(
            "passerelle", ["backup", directory] + dataDirectories.flatMap { ["--data-dir", $0] })
        let ended = try await run.waitForExit(timeout: .seconds(60))
        #expect(ended == .exited(0), "\(run.stderr)")
        let folder = run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(folder.hasPrefix(directory + "/passerelle-backup-"), "\(run.stdout)\n\(run.stderr)")
        return folder
    }

    /// Runs `passerelle restore BACKUP …`; returns how it ended and its standard error.
    static func restore(
        _ backup: String, _ arguments: [String] = []
    ) async throws -> (SpawnedProcess.Termination, String) {
        let run = try SpawnedProcess("passerelle", ["restore", backup] + arguments)
        let ended = try await run.waitForExit(timeout: .seconds(60))
        return (ended, run.stderr)
    }

    static func manifest(_ folder: String) throws -> JSONValue {
        try CanonicalJSON.decode(
            JSONValue.self, from: Data(contentsOf: URL(fileURLWithPath: folder + "/manifest.json")))
    }

    static func sha256(_ path: String) throws -> String {
        SHA256.hash(data: try Data(contentsOf: URL(fileURLWithPath: path))).map { String(format: "%02x", $0) }.joined()
    }

    /// Every file of `folder`, with its digest: to show that a refused restore changed nothing.
    static func fingerprint(_ folder: String) throws -> [String: String] {
        var files: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) where !name.hasSuffix("-shm") {
            var isFolder: ObjCBool = false
            let path = folder + "/" + name
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue else {
                continue
            }
            files[name] = try sha256(path)
        }
        return files
    }
}

/// Reads a service's database read-only (it may be running).
func readDatabase<T>(_ path: String, _ body: (Database) throws -> T) throws -> T {
    var configuration = Configuration()
    configuration.readonly = true
    let queue = try DatabaseQueue(path: path, configuration: configuration)
    defer { try? queue.close() }
    return try queue.read(body)
}

/// A service's delivery positions: its outbox's latest seq per stream, what its relay
/// published, and its inbox's applied seq per "source/stream".
struct DeliveryPositions: Equatable, CustomStringConvertible {
    var outbox: [String: Int64]
    var published: [String: Int64]
    var inbox: [String: Int64]

    static func of(_ path: String) throws -> DeliveryPositions {
        try readDatabase(path) { db in
            DeliveryPositions(
                outbox: try Outbox.latest(db),
                published: Dictionary(
                    uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT stream, published FROM outbox_relay").map {
                        ($0["stream"], $0["published"])
                    }),
                inbox: Dictionary(
                    uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT source, stream, applied FROM inbox").map {
                        ("\($0["source"] as String)/\($0["stream"] as String)", $0["applied"])
                    }))
        }
    }

    var description: String { "outbox \(outbox), published \(published), inbox \(inbox)" }
}

extension JSONValue {
    /// The elements of an array (nil when it is not one).
    var elements: [JSONValue]? { if case .array(let values) = self { values } else { nil } }
}
