import Foundation
import GRDB
import Matching
import Messages
import ServiceKit

/// The matcher's read model (open offers, candidates who consent to matching) and the
/// matches it keeps. The in-memory index is rebuilt from it at start.
enum MatcherStore {
    static func migrate(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("matcher-v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE offers (id TEXT PRIMARY KEY NOT NULL, record BLOB NOT NULL);
                    CREATE TABLE candidates (id TEXT PRIMARY KEY NOT NULL, profile BLOB NOT NULL);
                    CREATE TABLE matches (
                        offer_id TEXT NOT NULL,
                        candidate_id TEXT NOT NULL,
                        score REAL NOT NULL,
                        registered_at INTEGER NOT NULL,
                        found_at INTEGER NOT NULL,
                        breakdown BLOB NOT NULL,
                        PRIMARY KEY (offer_id, candidate_id)
                    );
                    CREATE INDEX matches_candidate ON matches (candidate_id);
                    CREATE TABLE match_rows (
                        candidate_id TEXT NOT NULL,
                        seq INTEGER NOT NULL,
                        PRIMARY KEY (candidate_id, seq)
                    ) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("matcher-v2-pending-redactions") { db in
            // An erased person's match.* rows wait here until the relay has published the
            // last of them (the match.withdrawn of the erasure); then they are redacted.
            try db.execute(
                sql: """
                    CREATE TABLE pending_redactions (candidate_id TEXT PRIMARY KEY NOT NULL, up_to INTEGER NOT NULL)
                    """)
        }
        // PUT /matches/…/follow-up takes an Idempotency-Key, as the registries' writes do.
        Idempotency.migrate(&migrator)
        FollowUpStore.migrate(&migrator)
    }

    static func saveOffer(_ offer: Offer, _ db: Database) throws {
        try db.execute(
            sql: "INSERT OR REPLACE INTO offers (id, record) VALUES (?, ?)",
            arguments: [offer.id, Data(try CanonicalJSON.encode(offer))])
    }

    static func deleteOffer(_ id: String, _ db: Database) throws {
        try db.execute(sql: "DELETE FROM offers WHERE id = ?", arguments: [id])
    }

    static func offer(_ id: String, _ db: Database) throws -> Offer? {
        try Data.fetchOne(db, sql: "SELECT record FROM offers WHERE id = ?", arguments: [id]).map {
            try CanonicalJSON.decode(Offer.self, from: $0)
        }
    }

    static func saveCandidate(_ profile: CandidateProfile, _ db: Database) throws {
        try db.execute(
            sql: "INSERT OR REPLACE INTO candidates (id, profile) VALUES (?, ?)",
            arguments: [profile.id, Data(try CanonicalJSON.encode(profile))])
    }

    static func deleteCandidate(_ id: String, _ db: Database) throws {
        try db.execute(sql: "DELETE FROM candidates WHERE id = ?", arguments: [id])
    }

    static func saveMatch(_ match: Match, registeredAt: Int64, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT OR REPLACE INTO matches (offer_id, candidate_id, score, registered_at, found_at, breakdown)
                VALUES (?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                match.offerId, match.candidateId, match.score, registeredAt, Timestamp.now.millisecondsSinceEpoch,
                Data(try CanonicalJSON.encode(match.breakdown)),
            ])
    }

    static func deleteMatch(offer: String, candidate: String, _ db: Database) throws {
        try db.execute(
            sql: "DELETE FROM matches WHERE offer_id = ? AND candidate_id = ?", arguments: [offer, candidate])
    }

    /// Matches of one offer or one candidate, best first (ties: earlier registration, then id).
    static func matches(offer: String? = nil, candidate: String? = nil, _ db: Database) throws -> [Match] {
        let (column, value) = offer.map { ("offer_id", $0) } ?? ("candidate_id", candidate ?? "")
        return try Row.fetchAll(
            db,
            sql: """
                SELECT offer_id, candidate_id, score, breakdown FROM matches WHERE \(column) = ?
                ORDER BY score DESC, registered_at, candidate_id, offer_id
                """,
            arguments: [value]
        ).map { row in
            Match(
                offerId: row["offer_id"], candidateId: row["candidate_id"], score: row["score"],
                breakdown: try CanonicalJSON.decode([RuleScore].self, from: row["breakdown"] as Data))
        }
    }

    static func rememberMatchRow(_ candidate: String, seq: Int64, _ db: Database) throws {
        try db.execute(
            sql: "INSERT OR IGNORE INTO match_rows (candidate_id, seq) VALUES (?, ?)", arguments: [candidate, seq])
    }

    /// Deletes the person's profile, matches and the officers' marks on them, and schedules the
    /// redaction of the person's match.* outbox rows once the relay has published them all.
    static func erase(_ candidate: String, _ db: Database) throws {
        try db.execute(sql: "DELETE FROM candidates WHERE id = ?", arguments: [candidate])
        try db.execute(sql: "DELETE FROM matches WHERE candidate_id = ?", arguments: [candidate])
        try FollowUpStore.erase(candidate, db)
        if let last = try Int64.fetchOne(
            db, sql: "SELECT MAX(seq) FROM match_rows WHERE candidate_id = ?", arguments: [candidate])
        {
            try db.execute(
                sql: "INSERT OR REPLACE INTO pending_redactions (candidate_id, up_to) VALUES (?, ?)",
                arguments: [candidate, last])
        }
    }

    /// Deletes the outbox rows of every erased person whose last row the relay has published
    /// (replay then says they are gone on purpose; the stream's newest row is redacted
    /// instead, see ``Outbox/forget(stream:seqs:in:replacement:)``); returns how many people
    /// were finished.
    static func redactPublished(stream: String, _ db: Database, replacement: (Envelope) -> Event) throws -> Int {
        let published = try Outbox.published(stream: stream, db)
        let ready = try String.fetchAll(
            db, sql: "SELECT candidate_id FROM pending_redactions WHERE up_to <= ?", arguments: [published])
        for candidate in ready {
            let seqs = try Int64.fetchAll(
                db, sql: "SELECT seq FROM match_rows WHERE candidate_id = ? ORDER BY seq", arguments: [candidate])
            try Outbox.forget(stream: stream, seqs: seqs, in: db, replacement: replacement)
            try db.execute(sql: "DELETE FROM match_rows WHERE candidate_id = ?", arguments: [candidate])
            try db.execute(sql: "DELETE FROM pending_redactions WHERE candidate_id = ?", arguments: [candidate])
        }
        return ready.count
    }

    /// Erased people whose rows wait for the relay to publish their last events.
    static func pendingRedactions(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM pending_redactions") ?? 0
    }

    /// What the index and the kept matches are rebuilt from at start.
    static func load(_ db: Database) throws -> (offers: [Offer], candidates: [CandidateProfile], matches: [StoredMatch])
    {
        let offers = try Data.fetchAll(db, sql: "SELECT record FROM offers").map {
            try CanonicalJSON.decode(Offer.self, from: $0)
        }
        let candidates = try Data.fetchAll(db, sql: "SELECT profile FROM candidates").map {
            try CanonicalJSON.decode(CandidateProfile.self, from: $0)
        }
        let matches = try Row.fetchAll(db, sql: "SELECT offer_id, candidate_id, score, registered_at FROM matches").map
        {
            StoredMatch(
                offerId: $0["offer_id"],
                ranked: Ranked(candidateId: $0["candidate_id"], score: $0["score"], registeredAt: $0["registered_at"]))
        }
        return (offers, candidates, matches)
    }
}

struct StoredMatch {
    let offerId: String
    let ranked: Ranked
}
