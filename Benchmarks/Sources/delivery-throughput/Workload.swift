import Foundation
import GRDB
import Logging
import Messages
import ServiceKit

/// What every case moves: `bench.sample` events with about 200 B of payload JSON, and the
/// subscriber's effect for each, one row under a UNIQUE key (so applying an event twice
/// would fail the transaction instead of going unnoticed).
enum Workload {
    static let stream = "bench"
    static let topic = "bench.sample"
    static let source = "delivery-bench"
    /// `{"n":123456,"pad":"x…"}` is exactly 200 B of canonical JSON for a six-digit `n`.
    static let pad = String(repeating: "x", count: 179)

    /// Event number `n`; the publisher is the stream's only writer, so `n` is also its seq,
    /// and the effect row checks that the payload survived the whole path.
    static func event(_ n: Int) -> Event {
        .unknown(topic: topic, payload: .object(["n": .int(Int64(n)), "pad": .string(pad)]))
    }

    /// Payload and envelope size of event 100,000, for the report.
    static var sizes: (payload: Int, envelope: Int) {
        let envelope = Envelope(source: source, seq: 100_000, event: event(100_000))
        let payload = (try? CanonicalJSON.encode(JSONValue.object(["n": .int(100_000), "pad": .string(pad)])))?.count
        return (payload ?? 0, envelope.encoded().count)
    }

    /// The subscriber's own file: the effect table next to ServiceKit's inbox table.
    static func subscriberDatabase(in directory: String) throws -> ServiceDatabase {
        try ServiceDatabase(directory: directory, name: "subscriber") { migrator in
            migrator.registerMigration("bench-v1") { db in
                try db.execute(
                    sql: """
                        CREATE TABLE effects (
                            source TEXT NOT NULL, seq INTEGER NOT NULL, n INTEGER NOT NULL, UNIQUE (source, seq))
                        """)
            }
        }
    }

    /// The inbox handler: one effect row per event, written the way a service would (plain
    /// `execute`, no hand-tuned statement cache). A payload without `n` is stored as -1, so
    /// the verification reports it rather than the run stalling on a throwing handler.
    static let handler: Inbox.Handler = { envelope, db in
        var n: Int64 = -1
        if case .unknown(_, let payload) = envelope.payload, case .int(let value)? = payload["n"] { n = value }
        try db.execute(
            sql: "INSERT INTO effects (source, seq, n) VALUES (?, ?, ?)",
            arguments: [envelope.source, envelope.seq, n])
    }

    /// Nil when the effect table holds exactly seqs 1…`expected` of one source, each with the
    /// payload it was sent with; otherwise what is wrong. With UNIQUE (source, seq), a count of
    /// `expected` between MIN 1 and MAX `expected` leaves no room for a gap or a duplicate.
    static func verify(_ database: ServiceDatabase, expected: Int) async throws -> String? {
        // Plain values out of the closure: a GRDB Row is not Sendable, so returning one would
        // select the blocking overload of `read`.
        let counts = try await database.pool.read { db -> (Int, Int?, Int?, Int, Int)? in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT COUNT(*) AS total, MIN(seq) AS first, MAX(seq) AS last,
                               COUNT(DISTINCT source) AS sources, TOTAL(n != seq) AS wrong
                        FROM effects
                        """)
            else { return nil }
            return (row["total"], row["first"], row["last"], row["sources"], Int(row["wrong"] as Double))
        }
        guard let counts else { return "the effect table could not be read" }
        let (total, first, last, sources, wrong) = counts
        guard total == expected, first == 1, last == expected, sources == 1, wrong == 0 else {
            return "effects: \(total) rows (want \(expected)), seqs \(first ?? 0)…\(last ?? 0), "
                + "\(sources) sources, \(wrong) rows whose payload n differs from seq"
        }
        return nil
    }

    /// Delivery code logs warnings (a failed replay, a relay error) and errors; its routine
    /// info and notice lines would drown the report.
    static func logger(_ label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = .warning
        return logger
    }
}

/// A folder of SQLite files under the system temp directory, one per run, removed after it
/// so that a long benchmark does not fill the disk.
struct Scratch {
    let path: String

    init(_ label: String) throws {
        path = (NSTemporaryDirectory() as NSString).appendingPathComponent(
            "delivery-throughput-\(getpid())/\(label)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }

    /// Removes the whole benchmark folder (the end of the process).
    static func removeAll() {
        try? FileManager.default.removeItem(
            atPath: (NSTemporaryDirectory() as NSString).appendingPathComponent("delivery-throughput-\(getpid())"))
    }
}
