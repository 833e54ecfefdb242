import Foundation
import GRDB
import Messages

/// What a stream's history is made of, which decides how it may be shortened (DESIGN.md,
/// "Outbox"): state streams hold the successive states of records (an offer, a candidate,
/// a match) and are compacted, keeping the latest event per record; fact streams hold things
/// that happened once (a notification sent) and are pruned by age.
///
/// Each event of a state stream carries its record's whole state, so the latest event per
/// record is enough for a reader that starts late to arrive at the current state. The last
/// event of an erased or closed record (`candidate.erased`, `offer.closed`, `match.withdrawn`)
/// is its tombstone: kept, so that a reader who saw the record learns that it is gone.
public struct StreamHistory: Sendable {
    /// The streams pruned by age (`notification`); a stream neither here nor with record
    /// keys (a topic this build does not know) is kept whole.
    public var factStreams: Set<String>
    /// The record a state event is about (its key for compaction), or nil for an event that
    /// is not a record's state.
    public var record: @Sendable (Event) -> String?

    public init(factStreams: Set<String>, record: @escaping @Sendable (Event) -> String?) {
        self.factStreams = factStreams
        self.record = record
    }

    /// Passerelle's streams: `offer`, `candidate`, `contact` and `match` are states,
    /// `notification` is facts.
    public static let standard = StreamHistory(factStreams: [Topic.stream(of: Topic.notificationSent)]) { event in
        switch event {
        case .offerPublished(let offer), .offerUpdated(let offer), .offerClosed(let offer): offer.id
        case .candidateRegistered(let profile), .candidateUpdated(let profile), .candidateWithdrawn(let profile):
            profile.id
        case .candidateErased(let erased): erased.candidateId
        case .contactUpdated(let details): details.candidateId
        case .contactErased(let erased): erased.candidateId
        // A candidate may match an offer, lose the match and match it again: one record.
        case .matchFound(let match), .matchWithdrawn(let match): match.offerId + " " + match.candidateId
        default: nil
        }
    }
}

extension Outbox {
    /// Rows handled per write transaction by compaction and pruning, so that the service's
    /// own writes never wait long behind them.
    static let maintenanceChunk: Int64 = 5_000

    /// Log compaction: deletes the events of state streams that a later event of the same
    /// record supersedes, once they are older than `cutoff` and published. Each record keeps
    /// its latest event (its tombstone if erased or closed), and each stream its newest row,
    /// so numbering goes on. Returns how many rows were deleted.
    public static func compact(olderThan cutoff: Timestamp, _ pool: DatabasePool) async throws -> Int {
        try await maintain(pool) { stream, low, high, db in
            try db.execute(
                sql: """
                    DELETE FROM outbox
                    WHERE stream = :stream AND seq BETWEEN :low AND :high
                    AND record IS NOT NULL AND time < :cutoff
                    AND seq <= (SELECT published FROM outbox_relay WHERE outbox_relay.stream = :stream)
                    AND EXISTS (
                        SELECT 1 FROM outbox AS later
                        WHERE later.stream = :stream AND later.record = outbox.record AND later.seq > outbox.seq)
                    """,
                arguments: ["stream": stream, "low": low, "high": high, "cutoff": cutoff.millisecondsSinceEpoch])
        }
    }

    /// Retention of fact streams: deletes their events older than `cutoff` that are
    /// published, except each stream's newest. Their history then starts later (``first``),
    /// and replay says the seqs before it are gone. Returns how many rows were deleted.
    public static func prune(
        streams: Set<String>, olderThan cutoff: Timestamp, _ pool: DatabasePool
    ) async throws
        -> Int
    {
        try await maintain(pool, streams: streams) { stream, low, high, db in
            try db.execute(
                sql: """
                    DELETE FROM outbox
                    WHERE stream = :stream AND seq BETWEEN :low AND :high AND time < :cutoff
                    AND seq <= (SELECT published FROM outbox_relay WHERE outbox_relay.stream = :stream)
                    AND seq < (SELECT MAX(seq) FROM outbox AS newest WHERE newest.stream = :stream)
                    """,
                arguments: ["stream": stream, "low": low, "high": high, "cutoff": cutoff.millisecondsSinceEpoch])
        }
    }

    /// Runs `delete` over each stream (all, or `streams`) in chunks of seqs, one write
    /// transaction per chunk; returns the rows deleted.
    private static func maintain(
        _ pool: DatabasePool, streams: Set<String>? = nil,
        delete: @escaping @Sendable (String, Int64, Int64, Database) throws -> Void
    ) async throws -> Int {
        let ranges = try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT stream, MIN(seq) AS low, MAX(seq) AS high FROM outbox GROUP BY stream")
                .map { (stream: $0["stream"] as String, low: $0["low"] as Int64, high: $0["high"] as Int64) }
        }
        var deleted = 0
        for range in ranges where streams?.contains(range.stream) ?? true {
            var low = range.low
            while low <= range.high {
                let (chunk, high) = (low, min(range.high, low + maintenanceChunk - 1))
                deleted += try await pool.write { db in
                    try delete(range.stream, chunk, high, db)
                    return db.changesCount
                }
                low = high + 1
            }
        }
        return deleted
    }

    /// Erasure: deletes every row of `record` in `stream` but the newest, which must be the
    /// record's tombstone appended in the same transaction. Replay then says those seqs are
    /// gone, and the person's earlier events leave the history at once, published or not.
    /// Returns how many rows were deleted.
    @discardableResult
    public static func forget(record: String, stream: String, in db: Database) throws -> Int {
        try db.execute(
            sql: """
                DELETE FROM outbox WHERE stream = :stream AND record = :record
                AND seq < (SELECT MAX(seq) FROM outbox AS kept WHERE kept.stream = :stream AND kept.record = :record)
                """,
            arguments: ["stream": stream, "record": record])
        return db.changesCount
    }

    /// Erasure by rows: deletes the rows `seqs` of `stream` (a person's events, once
    /// published), so that replay says they are gone. The stream's newest row is kept for
    /// numbering: if it is one of them, its payload is replaced by `replacement` and its
    /// record key cleared instead. Returns how many rows were deleted or rewritten.
    @discardableResult
    public static func forget(
        stream: String, seqs: [Int64], in db: Database, replacement: (Envelope) -> Event
    ) throws -> Int {
        let newest = try latest(stream: stream, db)
        var forgotten = 0
        for seq in seqs {
            if seq == newest {
                forgotten += try redact(stream: stream, seqs: [seq], in: db, replacement: replacement)
                try db.execute(
                    sql: "UPDATE outbox SET record = NULL WHERE stream = ? AND seq = ?", arguments: [stream, seq])
            } else {
                try db.execute(sql: "DELETE FROM outbox WHERE stream = ? AND seq = ?", arguments: [stream, seq])
                forgotten += db.changesCount
            }
        }
        return forgotten
    }
}
