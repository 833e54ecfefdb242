import Foundation
import GRDB
import Messages
import ServiceKit

/// The yardstick: how fast SQLite itself stores the same rows, with nothing else around it.
/// The envelopes are encoded before timing and inserted through a cached statement into a
/// table shaped like the outbox, 1,000 rows per transaction, in a file opened by
/// `ServiceDatabase` (same WAL mode and pragmas as both sides of the end-to-end case).
enum YardstickRun {
    static let transactionRows = 1_000

    /// One row as `Outbox.append` would write it.
    struct Row: Sendable {
        let seq: Int64
        let id: String
        let time: Int64
        let envelope: Data
    }

    /// Encodes `events` envelopes of the benchmark's event, once for every run.
    static func rows(events: Int) -> [Row] {
        (1...max(1, events)).map { n in
            let envelope = Envelope(source: Workload.source, seq: Int64(n), event: Workload.event(n))
            return Row(
                seq: envelope.seq, id: envelope.id.uuidString.lowercased(),
                time: envelope.time.millisecondsSinceEpoch, envelope: Data(envelope.encoded()))
        }
    }

    static func run(_ rows: ArraySlice<Row>) async throws -> RunOutcome {
        let scratch = try Scratch("yardstick")
        defer { scratch.remove() }
        let database = try ServiceDatabase(directory: scratch.path, name: "yardstick") { migrator in
            migrator.registerMigration("bench-v1") { db in
                try db.execute(
                    sql: """
                        CREATE TABLE rows (
                            stream TEXT NOT NULL,
                            seq INTEGER NOT NULL,
                            id TEXT NOT NULL UNIQUE,
                            topic TEXT NOT NULL,
                            time INTEGER NOT NULL,
                            envelope BLOB NOT NULL,
                            PRIMARY KEY (stream, seq)
                        ) WITHOUT ROWID
                        """)
            }
        }
        let start = ContinuousClock.now
        var first = rows.startIndex
        while first < rows.endIndex {
            let chunk = rows[first..<min(rows.endIndex, first + transactionRows)]
            try await database.pool.write { db in
                let insert = try db.cachedStatement(
                    sql: "INSERT INTO rows (stream, seq, id, topic, time, envelope) VALUES (?, ?, ?, ?, ?, ?)")
                for row in chunk {
                    try insert.execute(
                        arguments: [Workload.stream, row.seq, row.id, Workload.topic, row.time, row.envelope])
                }
            }
            first = chunk.endIndex
        }
        let elapsed = start.duration(to: .now)
        let stored = try await database.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM rows") }
        let problem = stored == rows.count ? nil : "stored \(stored ?? 0) rows of \(rows.count)"
        return RunOutcome(events: rows.count, elapsed: elapsed, detail: "", problem: problem)
    }
}
