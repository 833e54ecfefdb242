import Bus
import Foundation
import GRDB
import Messages
import Synchronization

/// The inbox's dead-letter table: events from an authenticated source that this reader
/// could not decode or apply, kept whole with the reason (DESIGN.md, "Nothing is skipped
/// silently"), so that an upgraded reader can apply them and an operator can see them.
enum DeadLetters {
    struct Letter: Sendable {
        var source: String
        var stream: String
        var seq: Int64
        var topic: String
        var envelope: [UInt8]
    }

    static func migrate(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("servicekit-v2-dead-letters") { db in
            try db.execute(
                sql: """
                    CREATE TABLE inbox_dead_letters (
                        source TEXT NOT NULL,
                        stream TEXT NOT NULL,
                        seq INTEGER NOT NULL,
                        topic TEXT NOT NULL,
                        envelope BLOB NOT NULL,
                        reason TEXT NOT NULL,
                        time INTEGER NOT NULL,
                        PRIMARY KEY (source, stream, seq)
                    ) WITHOUT ROWID;
                    """)
        }
    }

    static func insert(_ message: BusMessage, source: String, seq: Int64, reason: String, _ db: Database) throws {
        let stream = String(message.stream)
        try db.execute(
            sql: """
                INSERT INTO inbox_dead_letters (source, stream, seq, topic, envelope, reason, time)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(source, stream, seq) DO UPDATE SET reason = excluded.reason
                """,
            arguments: [
                source, stream, seq, message.topic, Data(message.envelope), String(reason.prefix(1_000)),
                Timestamp.now.millisecondsSinceEpoch,
            ])
    }

    static func all(_ db: Database) throws -> [Letter] {
        try Row.fetchAll(
            db, sql: "SELECT source, stream, seq, topic, envelope FROM inbox_dead_letters ORDER BY time, seq"
        ).map { row in
            Letter(
                source: row["source"], stream: row["stream"], seq: row["seq"], topic: row["topic"],
                envelope: [UInt8](row["envelope"] as Data))
        }
    }

    static func count(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM inbox_dead_letters") ?? 0
    }

    static func delete(_ letter: Letter, _ db: Database) throws {
        try db.execute(
            sql: "DELETE FROM inbox_dead_letters WHERE source = ? AND stream = ? AND seq = ?",
            arguments: [letter.source, letter.stream, letter.seq])
    }

    static func setReason(_ letter: Letter, _ reason: String, _ db: Database) throws {
        try db.execute(
            sql: "UPDATE inbox_dead_letters SET reason = ? WHERE source = ? AND stream = ? AND seq = ?",
            arguments: [String(reason.prefix(1_000)), letter.source, letter.stream, letter.seq])
    }

    /// Failures of the database itself rather than of the event: retried, never dead-lettered.
    static func isTransient(_ error: DatabaseError) -> Bool {
        [
            .SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_FULL, .SQLITE_IOERR, .SQLITE_NOMEM, .SQLITE_READONLY,
            .SQLITE_INTERRUPT,
            .SQLITE_CANTOPEN, .SQLITE_CORRUPT,
        ]
        .contains(error.resultCode)
    }
}

/// A count the inbox keeps (dead letters waiting, seqs passed over), readable from `/health`
/// and `/metrics` without the actor.
public final class AtomicCount: Sendable {
    private let count = Atomic<Int>(0)
    public init() {}
    public var value: Int { count.load(ordering: .relaxed) }
    func add(_ n: Int) { count.add(n, ordering: .relaxed) }
    func set(_ n: Int) { count.store(n, ordering: .relaxed) }
}
