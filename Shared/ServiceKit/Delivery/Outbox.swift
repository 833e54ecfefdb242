import Foundation
import GRDB
import Messages

/// The events a service emits, written in the same SQLite transaction as the state change
/// that caused them and numbered per stream without gaps (the transactional outbox).
///
/// ```swift
/// try await database.pool.write { db in
///     try offers.insert(offer, db)
///     try outbox.append(.offerPublished(offer), in: db)
/// }   // committed: the relay publishes it at once
/// ```
public struct Outbox: Sendable {
    /// The `source` of every envelope: this service instance.
    public let source: String
    /// Which streams are records' states (compacted) and which are facts (pruned by age).
    public let history: StreamHistory

    public init(source: String, history: StreamHistory = .standard) {
        self.source = source
        self.history = history
    }

    /// Appends one event with the next seq of its stream; call it inside a write transaction.
    @discardableResult
    public func append(
        _ event: Event, correlation: String? = nil, time: Timestamp = .now, in db: Database
    ) throws -> Envelope {
        let stream = event.stream
        let envelope = Envelope(
            source: source, seq: try Self.lastSeq(stream, db) + 1, time: time, correlation: correlation, event: event)
        try insert(envelope, stream: stream, db)
        return envelope
    }

    /// Appends several events in order, reading each stream's last seq once rather than once
    /// per event (a bulk import or a batch of state changes in one transaction).
    @discardableResult
    public func append(
        contentsOf events: some Sequence<Event>, correlation: String? = nil, time: Timestamp = .now, in db: Database
    ) throws -> [Envelope] {
        var next: [String: Int64] = [:]
        var envelopes: [Envelope] = []
        for event in events {
            let stream = event.stream
            let seq = try next[stream] ?? (Self.lastSeq(stream, db) + 1)
            next[stream] = seq + 1
            let envelope = Envelope(source: source, seq: seq, time: time, correlation: correlation, event: event)
            try insert(envelope, stream: stream, db)
            envelopes.append(envelope)
        }
        return envelopes
    }

    private static func lastSeq(_ stream: String, _ db: Database) throws -> Int64 {
        // Cached statements: the SQL is compiled once per connection, not once per event.
        let stored =
            try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT MAX(seq) FROM outbox WHERE stream = ?"), arguments: [stream]) ?? 0
        // After a restore, numbering goes on past what the lost copy may have published.
        return max(stored, try OutboxFloor.floor(stream: stream, db))
    }

    private func insert(_ envelope: Envelope, stream: String, _ db: Database) throws {
        try db.cachedStatement(
            sql: "INSERT INTO outbox (stream, seq, id, topic, time, envelope, record) VALUES (?, ?, ?, ?, ?, ?, ?)"
        ).execute(
            arguments: [
                stream, envelope.seq, envelope.id.uuidString.lowercased(), envelope.type,
                envelope.time.millisecondsSinceEpoch, Data(envelope.encoded()), history.record(envelope.payload),
            ])
    }

    /// The latest seq of every stream.
    public static func latest(_ db: Database) throws -> [String: Int64] {
        // A skip-scan over the primary key: O(streams × log rows). `GROUP BY stream` would read
        // every row, and this runs at each commit the relay sees and each replay request.
        var latest: [String: Int64] = [:]
        let rows = try Row.fetchAll(
            db,
            sql: """
                WITH RECURSIVE streams(name) AS (
                    SELECT MIN(stream) FROM outbox
                    UNION ALL
                    SELECT (SELECT MIN(stream) FROM outbox WHERE stream > name) FROM streams WHERE name IS NOT NULL
                )
                SELECT name, (SELECT MAX(seq) FROM outbox WHERE stream = name) AS seq FROM streams
                WHERE name IS NOT NULL
                """)
        for row in rows { latest[row["name"]] = row["seq"] }
        return latest
    }

    /// The latest seq of one stream (0 when it has none).
    public static func latest(stream: String, _ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM outbox WHERE stream = ?", arguments: [stream]) ?? 0
    }

    /// The newest seq of `stream` the relay has handed to the bus (0 before the first).
    public static func published(stream: String, _ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT published FROM outbox_relay WHERE stream = ?", arguments: [stream]) ?? 0
    }

    /// The oldest seq `stream` still holds (its history starts there; 0 when it has none).
    public static func first(stream: String, _ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT MIN(seq) FROM outbox WHERE stream = ?", arguments: [stream]) ?? 0
    }

    /// Stored messages of `stream` from seq `from` on, at most `limit`, in order. Seqs that
    /// compaction or pruning removed are simply not there: the next row follows.
    public static func messages(stream: String, from: Int64, limit: Int, _ db: Database) throws -> [StoredMessage] {
        try Row.fetchAll(
            db,
            sql: "SELECT seq, topic, time, envelope FROM outbox WHERE stream = ? AND seq >= ? ORDER BY seq LIMIT ?",
            arguments: [stream, from, limit]
        ).map { row in
            StoredMessage(
                seq: row["seq"], topic: row["topic"], envelope: [UInt8](row["envelope"] as Data),
                time: Timestamp(millisecondsSinceEpoch: row["time"]))
        }
    }

    /// Replaces the payload of past rows (erasure), keeping their id, seq, topic and time,
    /// so that a replay neither carries the person's data nor shows a gap.
    ///
    /// - Parameter matching: decides, from a row's decoded envelope, whether to redact it.
    /// - Returns: how many rows were redacted.
    @discardableResult
    public static func redact(
        stream: String, in db: Database, replacement: (Envelope) -> Event, matching: (Envelope) -> Bool
    ) throws -> Int {
        var redacted = 0
        let rows = try Row.fetchCursor(
            db, sql: "SELECT seq, topic, envelope FROM outbox WHERE stream = ?", arguments: [stream])
        var updates: [(Int64, Data)] = []
        while let row = try rows.next() {
            let bytes = [UInt8](row["envelope"] as Data)
            // A row this service wrote always decodes; if one does not, erasure must fail
            // loudly rather than leave personal data behind.
            let envelope = try Envelope.decode(bytes: bytes)
            guard matching(envelope) else { continue }
            var changed = envelope
            changed.payload = replacement(envelope)
            updates.append((row["seq"], Data(changed.encoded())))
        }
        for (seq, data) in updates {
            try db.execute(
                sql: "UPDATE outbox SET envelope = ? WHERE stream = ? AND seq = ?", arguments: [data, stream, seq])
            redacted += 1
        }
        return redacted
    }

    /// Replaces the payload of the rows `seqs` of `stream` (erasure, when the service knows
    /// which rows carry the person), keeping id, seq, topic and time like `redact(stream:…)`.
    @discardableResult
    public static func redact(
        stream: String, seqs: [Int64], in db: Database, replacement: (Envelope) -> Event
    ) throws -> Int {
        var redacted = 0
        for seq in seqs {
            guard
                let data = try Data.fetchOne(
                    db, sql: "SELECT envelope FROM outbox WHERE stream = ? AND seq = ?", arguments: [stream, seq])
            else { continue }
            var envelope = try Envelope.decode(bytes: [UInt8](data))
            envelope.payload = replacement(envelope)
            try db.execute(
                sql: "UPDATE outbox SET envelope = ? WHERE stream = ? AND seq = ?",
                arguments: [Data(envelope.encoded()), stream, seq])
            redacted += 1
        }
        return redacted
    }
}

/// One outbox row as it is published and replayed.
public struct StoredMessage: Sendable, Equatable {
    public var seq: Int64
    public var topic: String
    public var envelope: [UInt8]
    /// When the event was committed (the envelope's `time`).
    public var time: Timestamp
}
