import Crypto
import Foundation
import GRDB
import ServiceKit

/// What `backup` and `restore` do to one SQLite file, through GRDB.
enum DatabaseFile {
    /// How a file's delivery tables stand: what an operator needs to judge a backup.
    struct Positions: Codable, Equatable {
        /// The outbox's latest seq per stream.
        var outbox: [String: Int64]
        /// Seq floors a restore recorded (``OutboxFloor``): numbering goes on past them.
        var floors: [String: Int64]
        /// The inbox's last applied seq per source, then stream.
        var inbox: [String: [String: Int64]]
    }

    /// Seqs per stream as an operator reads them: `match 367, offer 54`.
    static func listed(_ seqs: [String: Int64]) -> String {
        seqs.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }

    /// Copies the live database at `source` into a new file at `destination` with SQLite's
    /// online backup API, in one step inside one read transaction: the copy is the state of a
    /// single commit, and the service (WAL: readers never block its writer) keeps writing.
    static func snapshot(_ source: String, to destination: String) throws {
        let from = try DatabaseQueue(path: source, configuration: configuration())
        defer { try? from.close() }
        let to = try DatabaseQueue(path: destination, configuration: configuration())
        defer { try? to.close() }
        try from.backup(to: to)
    }

    /// `PRAGMA integrity_check`: "ok", or SQLite's first problems.
    static func integrity(_ path: String) throws -> String {
        let queue = try DatabaseQueue(path: path, configuration: configuration())
        defer { try? queue.close() }
        let lines = try queue.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check(20)") }
        return lines == ["ok"] ? "ok" : lines.joined(separator: "; ")
    }

    /// The outbox and inbox positions stored in the file (empty for a service without them).
    static func positions(_ path: String) throws -> Positions {
        let queue = try DatabaseQueue(path: path, configuration: configuration())
        defer { try? queue.close() }
        return try queue.read(positions)
    }

    static func positions(_ db: Database) throws -> Positions {
        let outbox = try db.tableExists("outbox") ? Outbox.latest(db) : [:]
        var inbox: [String: [String: Int64]] = [:]
        if try db.tableExists("inbox") {
            for row in try Row.fetchAll(db, sql: "SELECT source, stream, applied FROM inbox") {
                inbox[row["source"], default: [:]][row["stream"]] = row["applied"]
            }
        }
        return Positions(outbox: outbox, floors: try OutboxFloor.all(db), inbox: inbox)
    }

    /// Raises each stream's outbox floor in the file at `path` (see ``OutboxFloor``).
    static func raiseFloors(_ floors: [String: Int64], at path: String) throws {
        let queue = try DatabaseQueue(path: path, configuration: configuration())
        defer { try? queue.close() }
        try queue.write { db in try OutboxFloor.raise(floors, db) }
    }

    /// Whether a process has the database open (a running service).
    ///
    /// Every connection to a WAL database holds a shared lock on the file for as long as it is
    /// open; SQLite itself relies on this when it closes (only a connection that gets the
    /// exclusive lock may delete the WAL). So: ask for the exclusive lock at once (exclusive
    /// locking mode, no waiting); refused means someone else has it open. On success the
    /// connection closes at once, which also folds a leftover WAL back into the file.
    static func isInUse(_ path: String) -> Bool {
        var configuration = configuration()
        configuration.busyMode = .immediateError
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA locking_mode = EXCLUSIVE") }
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            defer { try? queue.close() }
            // In exclusive mode the first read of a WAL database takes the exclusive lock.
            try queue.inDatabase { db in
                try db.execute(sql: "BEGIN IMMEDIATE; SELECT count(*) FROM sqlite_master; COMMIT")
            }
            return false
        } catch let error as DatabaseError where [.SQLITE_BUSY, .SQLITE_LOCKED].contains(error.resultCode) {
            return true
        } catch {
            return false  // not a database we can open: the restore's own checks say so
        }
    }

    /// The SHA-256 of a file, read in 1 MiB chunks, as lowercase hex.
    static func sha256(_ path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        defer { try? handle.close() }
        var hash = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hash.update(data: chunk) }
        return hash.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// Writes the file's data to disk (and, for a folder, its entries).
    static func sync(_ path: String) {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }

    private static func configuration() -> Configuration {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        return configuration
    }
}
