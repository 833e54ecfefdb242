import Foundation
import Messages
import ServiceKit

/// A restore checked in full before anything changes: the manifest, each file's digest, where
/// it goes, and that no process has the target open.
struct RestorePlan {
    struct Step {
        var entry: BackupManifest.Entry
        var copy: String
        var target: String
    }

    struct Done {
        var service: String
        var target: String
        var keptAside: String?
        var floors: [String: Int64]
    }

    enum Failure: Error, CustomStringConvertible {
        case notInBackup(String, available: [String])
        case checksum(file: String, expected: String, found: String)
        case missing(file: String)
        case running(service: String, path: String)
        case noTarget(service: String, folders: [String])
        case integrity(file: String, report: String)
        /// Some databases were restored before another failed: they stay restored.
        case partly(restored: [String], failed: String, reason: String)

        var description: String {
            switch self {
            case .notInBackup(let service, let available):
                "--service \(service) : absent de la sauvegarde / not in the backup (\(available.joined(separator: ", ")))"
            case .checksum(let file, let expected, let found):
                "\(file) : empreinte SHA-256 différente du manifeste, fichier altéré / SHA-256 differs from the "
                    + "manifest, the file was altered (manifest \(expected.prefix(12))…, file \(found.prefix(12))…)"
            case .missing(let file): "\(file) : fichier absent de la sauvegarde / file missing from the backup"
            case .running(let service, let path):
                "\(service) : la base \(path) est ouverte par un processus ; arrêtez le service d’abord / "
                    + "the database is open in a process; stop the service first"
            case .noTarget(let service, let folders):
                "\(service) : aucun dossier de données pour lui dans / no data folder for it in \(folders.joined(separator: ", "))"
            case .integrity(let file, let report):
                "\(file) : échoue à integrity_check / fails integrity_check: \(report)"
            case .partly(let restored, let failed, let reason):
                "\(restored.joined(separator: ", ")) restauré(s) / restored, puis / then \(failed) : \(reason)"
            }
        }
    }

    let steps: [Step]

    static func make(backup: String, services: [String], dataDirectories: [String]) throws -> RestorePlan {
        let manifest = try BackupManifest.read(folder: backup)
        let available = manifest.databases.map(\.service)
        for service in services where !available.contains(service) {
            throw Failure.notInBackup(service, available: available)
        }
        let chosen = manifest.databases.filter { services.isEmpty || services.contains($0.service) }
        let targets = dataDirectories.isEmpty ? nil : try DataFolders.targets(in: dataDirectories)
        var steps: [Step] = []
        for entry in chosen {
            let copy = (backup as NSString).appendingPathComponent(entry.file)
            guard FileManager.default.fileExists(atPath: copy) else { throw Failure.missing(file: copy) }
            let digest = try DatabaseFile.sha256(copy)
            guard digest == entry.sha256 else {
                throw Failure.checksum(file: copy, expected: entry.sha256, found: digest)
            }
            let target: String
            if let targets {
                guard let found = targets.path(label: entry.service, service: entry.kind) else {
                    throw Failure.noTarget(service: entry.service, folders: dataDirectories)
                }
                target = found
            } else {
                target = entry.source
            }
            if FileManager.default.fileExists(atPath: target), DatabaseFile.isInUse(target) {
                throw Failure.running(service: entry.service, path: target)
            }
            steps.append(Step(entry: entry, copy: copy, target: target))
        }
        return RestorePlan(steps: steps)
    }

    /// Restores each database: the copy is prepared beside the target under a hidden name,
    /// then the old file (and its -wal/-shm) is moved aside and the copy renamed in.
    func apply(now: Timestamp = .now) throws -> [Done] {
        // Every copy is prepared (and checked) before the first file is replaced.
        var prepared: [(Step, String, [String: Int64])] = []
        defer { for (_, staged, _) in prepared { try? FileManager.default.removeItem(atPath: staged) } }
        for step in steps {
            let folder = (step.target as NSString).deletingLastPathComponent
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let staged = (folder as NSString).appendingPathComponent(".\(step.entry.kind).sqlite.restoring")
            try? FileManager.default.removeItem(atPath: staged)
            try FileManager.default.copyItem(atPath: step.copy, toPath: staged)
            prepared.append((step, staged, [:]))
            let floors = try Self.floors(copy: staged, replaced: step.target)
            if !floors.isEmpty { try DatabaseFile.raiseFloors(floors, at: staged) }
            let integrity = try DatabaseFile.integrity(staged)
            guard integrity == "ok" else { throw Failure.integrity(file: step.copy, report: integrity) }
            DatabaseFile.sync(staged)
            prepared[prepared.count - 1].2 = floors
        }
        var done: [Done] = []
        for (step, staged, floors) in prepared {
            do {
                done.append(try Self.replace(step, with: staged, floors: floors, now: now))
            } catch {
                guard !done.isEmpty else { throw error }
                throw Failure.partly(restored: done.map(\.service), failed: step.entry.service, reason: "\(error)")
            }
        }
        return done
    }

    /// Moves the target (and its -wal/-shm) aside and the prepared copy in.
    private static func replace(
        _ step: Step, with staged: String, floors: [String: Int64], now: Timestamp
    ) throws -> Done {
        // Checked again at the last moment: the service may have been started meanwhile.
        let exists = FileManager.default.fileExists(atPath: step.target)
        if exists, DatabaseFile.isInUse(step.target) {
            throw Failure.running(service: step.entry.service, path: step.target)
        }
        let kept = step.target + ".replaced-" + BackupWriter.stamp(now)
        let aside = exists ? kept : nil
        if exists { try FileManager.default.moveItem(atPath: step.target, toPath: kept) }
        for suffix in ["-wal", "-shm"] where FileManager.default.fileExists(atPath: step.target + suffix) {
            // Named after the kept file, so that SQLite opens it with its WAL if ever needed.
            try FileManager.default.moveItem(atPath: step.target + suffix, toPath: kept + suffix)
        }
        try Self.takeOwnership(of: staged, from: aside ?? (step.target as NSString).deletingLastPathComponent)
        try FileManager.default.moveItem(atPath: staged, toPath: step.target)
        DatabaseFile.sync((step.target as NSString).deletingLastPathComponent)
        return Done(service: step.entry.service, target: step.target, keptAside: aside, floors: floors)
    }

    /// Gives the restored file the owner and group of the file it replaces (else of its
    /// folder): compose/install runs each service as its own user, and restore runs as root.
    static func takeOwnership(of path: String, from model: String) throws {
        let attributes = try FileManager.default.attributesOfItem(atPath: model)
        var wanted: [FileAttributeKey: Any] = [:]
        wanted[.ownerAccountID] = attributes[.ownerAccountID]
        wanted[.groupOwnerAccountID] = attributes[.groupOwnerAccountID]
        // A file keeps the replaced one's mode; from a folder, only its owner reads and writes.
        let isFolder = (attributes[.type] as? FileAttributeType) == .typeDirectory
        wanted[.posixPermissions] = isFolder ? 0o600 : attributes[.posixPermissions]
        try FileManager.default.setAttributes(wanted, ofItemAtPath: path)
    }

    /// The seq floors of a restored publisher: past the newest seq of each of its streams in
    /// the copy and, when it can still be read, in the file it replaces, by
    /// ``OutboxFloor/restoreMargin`` (see there for why, and the limit). A pure reader has none.
    static func floors(copy: String, replaced: String) throws -> [String: Int64] {
        let backedUp = try DatabaseFile.positions(copy)
        var newest = backedUp.outbox.merging(backedUp.floors) { max($0, $1) }
        if FileManager.default.fileExists(atPath: replaced) {
            if let old = try? DatabaseFile.positions(replaced) {
                newest.merge(old.outbox.merging(old.floors) { max($0, $1) }) { max($0, $1) }
            } else {
                Terminal.error(
                    "passerelle restore : \(replaced) illisible, la marge seule protège sa numérotation / "
                        + "unreadable, the margin alone protects its numbering")
            }
        }
        return newest.filter { $0.value > 0 }.mapValues { $0 + OutboxFloor.restoreMargin }
    }
}
