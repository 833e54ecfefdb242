import Foundation
import GRDB
import Messages

/// A service's own SQLite file, opened once per process as a GRDB `DatabasePool` (WAL:
/// readers never wait for the writer).
///
/// ServiceKit's delivery tables (outbox, relay cursor, inbox) are migrated here with the
/// service's own migrations; migrations are named and never edited once shipped.
public final class ServiceDatabase: Sendable {
    public let pool: DatabasePool
    public let path: String
    /// How long a statement waits for a lock another connection holds, in seconds.
    static let busyTimeout: TimeInterval = 10

    /// Opens (creating if needed) `<directory>/<name>.sqlite` and migrates it.
    ///
    /// - Parameter migrations: the service's own, registered after ServiceKit's.
    public init(
        directory: String, name: String, migrations: (inout DatabaseMigrator) -> Void = { _ in }
    ) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = (directory as NSString).appendingPathComponent("\(name).sqlite")
        var configuration = Configuration()
        configuration.busyMode = .timeout(Self.busyTimeout)
        // Erasure must leave no trace in the file: SQLite zeroes deleted and rewritten content.
        // synchronous=FULL: a commit is on disk before the relay can publish it. With NORMAL a
        // power cut could roll back rows already delivered, and their seqs would be reused
        // for other events, which subscribers would then skip as duplicates.
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA secure_delete = ON; PRAGMA synchronous = FULL")
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        // GRDB sets synchronous=NORMAL on the writer when it turns WAL on, after
        // prepareDatabase: set FULL again where it counts, on the writer.
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        var migrator = DatabaseMigrator()
        Self.registerDeliveryMigrations(&migrator)
        OutboxFloor.migrate(&migrator)
        DeadLetters.migrate(&migrator)
        AuditLog.migrate(&migrator)
        migrations(&migrator)
        try migrator.migrate(pool)
    }

    static func registerDeliveryMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("servicekit-v1-outbox") { db in
            // One row per emitted event; (stream, seq) is the gap-free numbering of DESIGN.md.
            try db.execute(
                sql: """
                    CREATE TABLE outbox (
                        stream TEXT NOT NULL,
                        seq INTEGER NOT NULL,
                        id TEXT NOT NULL UNIQUE,
                        topic TEXT NOT NULL,
                        time INTEGER NOT NULL,
                        envelope BLOB NOT NULL,
                        PRIMARY KEY (stream, seq)
                    ) WITHOUT ROWID;
                    CREATE TABLE outbox_relay (
                        stream TEXT PRIMARY KEY,
                        published INTEGER NOT NULL
                    );
                    """)
        }
        migrator.registerMigration("servicekit-v1-inbox") { db in
            try db.execute(
                sql: """
                    CREATE TABLE inbox (
                        source TEXT NOT NULL,
                        stream TEXT NOT NULL,
                        applied INTEGER NOT NULL,
                        PRIMARY KEY (source, stream)
                    ) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("servicekit-v2-outbox-record") { db in
            // The record each state event is about: compaction keeps the latest per record.
            try db.execute(
                sql: """
                    ALTER TABLE outbox ADD COLUMN record TEXT;
                    CREATE INDEX outbox_record ON outbox (stream, record, seq) WHERE record IS NOT NULL;
                    """)
            let rows = try Row.fetchCursor(db, sql: "SELECT stream, seq, topic, envelope FROM outbox")
            var keys: [(String, Int64, String)] = []
            while let row = try rows.next() {
                // A row this build cannot read keeps no key: it is never compacted.
                guard let envelope = try? Envelope.decode(topic: row["topic"], bytes: [UInt8](row["envelope"] as Data)),
                    let record = StreamHistory.standard.record(envelope.payload)
                else { continue }
                keys.append((row["stream"], row["seq"], record))
            }
            for (stream, seq, record) in keys {
                try db.execute(
                    sql: "UPDATE outbox SET record = ? WHERE stream = ? AND seq = ?", arguments: [record, stream, seq])
            }
        }
    }

    /// Copies the write-ahead log back into the database file and truncates it, so that pages
    /// holding deleted data (erasure) no longer sit in the WAL; `secure_delete` has zeroed
    /// them in the file. Readers can hold the checkpoint back: it is retried `attempts` times,
    /// 20 ms apart. Returns whether it completed (if not, ``ErasureCheckpoint`` finishes it).
    @discardableResult
    public func truncateWAL(attempts: Int = 50) async throws -> Bool {
        for attempt in 1...max(1, attempts) {
            let done = try await pool.writeWithoutTransaction { db -> Bool in
                // Without this, a reader holding the WAL makes the checkpoint wait the whole busy
                // timeout (10 s, holding the writer) and then throw SQLITE_BUSY: callers retry.
                try db.execute(sql: "PRAGMA busy_timeout = 0")
                defer { try? db.execute(sql: "PRAGMA busy_timeout = \(Int(Self.busyTimeout * 1_000))") }
                do {
                    let result = try db.checkpoint(.truncate)
                    return result.walFrameCount == result.checkpointedFrameCount
                } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
                    return false  // a reader still uses the WAL
                }
            }
            if done { return true }
            if attempt < attempts { try await Task.sleep(for: .milliseconds(20)) }
        }
        return false
    }
}
