import GRDB

/// Per-stream seq floors that `passerelle restore` records in a publisher's restored database,
/// so that its outbox numbers its next events past anything it may have published after the
/// backup was taken.
///
/// Why: a restored outbox ends at the backup's latest seq, while readers may already have
/// applied later seqs from the lost copy. Numbering on from the backup would reuse those seqs,
/// and readers would skip the new events as duplicates: silent loss. With a floor, the next
/// event of the stream takes `floor + 1`; readers see a jump, ask the replay endpoint, and the
/// replay names the seqs in between (that the restored outbox does not hold) as absent, gone on
/// purpose, so they pass over them and apply the new events. The wire protocol is unchanged:
/// `latest` (heartbeats, replay) stays the newest seq actually stored.
///
/// The limit: a floor only helps if it lies past every seq the lost copy published. Restore
/// takes the higher of the backup's and the replaced file's latest seqs, plus a wide margin
/// (``restoreMargin``); a publisher that emitted more than the margin on a stream since the
/// backup, and whose replaced file is unreadable, would still reuse seqs.
public enum OutboxFloor {
    /// How far past the newest known seq restore numbers on: far more events than any stream
    /// of the ministry emits between two backups, and still far below 2^53 (exact in JSON
    /// readers of other languages) after thousands of restores.
    public static let restoreMargin: Int64 = 1_000_000_000

    static let createTable = """
        CREATE TABLE IF NOT EXISTS outbox_floor (
            stream TEXT PRIMARY KEY,
            floor INTEGER NOT NULL
        ) WITHOUT ROWID
        """

    static func migrate(_ migrator: inout DatabaseMigrator) {
        // IF NOT EXISTS: restore may have made it already, in a copy older than this migration.
        migrator.registerMigration("servicekit-v3-outbox-floor") { db in try db.execute(sql: createTable) }
    }

    /// The floor of `stream` (0 when it has none or the table does not exist yet).
    public static func floor(stream: String, _ db: Database) throws -> Int64 {
        guard try db.tableExists("outbox_floor") else { return 0 }
        return try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT floor FROM outbox_floor WHERE stream = ?"), arguments: [stream]) ?? 0
    }

    /// Every stream's floor.
    public static func all(_ db: Database) throws -> [String: Int64] {
        guard try db.tableExists("outbox_floor") else { return [:] }
        return try Dictionary(
            Row.fetchAll(db, sql: "SELECT stream, floor FROM outbox_floor").map { ($0["stream"], $0["floor"]) },
            uniquingKeysWith: max)
    }

    /// Raises the floor of each stream to at least the value given (never lowers one).
    public static func raise(_ floors: [String: Int64], _ db: Database) throws {
        try db.execute(sql: createTable)
        for (stream, floor) in floors {
            try db.execute(
                sql: """
                    INSERT INTO outbox_floor (stream, floor) VALUES (?, ?)
                    ON CONFLICT(stream) DO UPDATE SET floor = MAX(floor, excluded.floor)
                    """, arguments: [stream, floor])
        }
    }
}
