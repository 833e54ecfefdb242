import Foundation
import GRDB
import Hummingbird
import Messages
import ServiceKit

/// The officers' marks on matches (shortlisted, contacted: who and when), kept per offer and
/// candidate, and the listings of `GET /matches` that show them. A mark outlives the match's
/// withdrawal (an outranked candidate who comes back shows it again) but not the person's
/// erasure.
enum FollowUpStore {
    static func migrate(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("matcher-v3-follow-ups") { db in
            // matches_rank: an offer's page of matches is read in rank order without a sort.
            try db.execute(
                sql: """
                    CREATE TABLE follow_ups (
                        offer_id TEXT NOT NULL,
                        candidate_id TEXT NOT NULL,
                        shortlisted INTEGER NOT NULL,
                        shortlisted_at INTEGER,
                        shortlisted_by TEXT,
                        contacted INTEGER NOT NULL,
                        contacted_at INTEGER,
                        contacted_by TEXT,
                        version INTEGER NOT NULL,
                        PRIMARY KEY (offer_id, candidate_id)
                    ) WITHOUT ROWID;
                    CREATE INDEX follow_ups_candidate ON follow_ups (candidate_id);
                    CREATE INDEX matches_rank ON matches (offer_id, score DESC, registered_at, candidate_id);
                    """)
        }
    }

    /// What `GET /matches` asks for: one offer's or one candidate's matches, optionally only
    /// the shortlisted (or only the others), one page of them.
    struct Query: Sendable {
        var offer: String?
        var candidate: String?
        var shortlisted: Bool?
        /// nil: every match (what clients that do not page have always had).
        var limit: Int?
        var offset = 0
    }

    /// One page of matches, best first, with the total the query has.
    static func list(_ query: Query, _ db: Database) throws -> (matches: [FollowedMatch], total: Int) {
        var filter = ""
        var arguments: StatementArguments = [query.offer ?? query.candidate ?? ""]
        if let shortlisted = query.shortlisted {
            filter = " AND coalesce(shortlisted, 0) = ?"
            arguments += [shortlisted]
        }
        let total =
            try Int.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*) FROM matches LEFT JOIN follow_ups USING (offer_id, candidate_id)
                    WHERE \(query.offer != nil ? "offer_id" : "candidate_id") = ?\(filter)
                    """,
                arguments: arguments) ?? 0
        let sql: String
        if query.offer != nil {
            sql = ranked(filter.isEmpty ? "" : "WHERE 1 = 1" + filter) + " ORDER BY rank LIMIT ? OFFSET ?"
        } else {
            // A candidate's matches: best first; a rank would need every offer's whole list.
            sql = """
                SELECT \(columns), NULL AS rank FROM matches LEFT JOIN follow_ups USING (offer_id, candidate_id)
                WHERE candidate_id = ?\(filter)
                ORDER BY score DESC, registered_at, candidate_id, offer_id LIMIT ? OFFSET ?
                """
        }
        arguments += [query.limit ?? -1, query.offset]
        return (try Row.fetchAll(db, sql: sql, arguments: arguments).map(followed), total)
    }

    /// One match with its marks and rank, or nil when the offer does not keep the candidate.
    static func find(offer: String, candidate: String, _ db: Database) throws -> FollowedMatch? {
        try Row.fetchOne(db, sql: ranked("WHERE candidate_id = ?"), arguments: [offer, candidate]).map(followed)
    }

    /// Sets the marks of a match to `change`, in the caller's transaction: a mark switched on
    /// records who and when; switched off, it forgets them; left as it was, it keeps them.
    /// Nothing changed, nothing is written (the version stays).
    static func mark(
        offer: String, candidate: String, _ change: FollowUpChange, by officer: String, _ db: Database
    ) throws -> FollowedMatch {
        guard var match = try find(offer: offer, candidate: candidate, db) else {
            throw APIError.notFound("correspondance", id: "\(offer)/\(candidate)")
        }
        if let expected = change.version, expected != match.version {
            throw APIError(
                .conflict, code: "version-conflict",
                message: "le suivi a changé (version \(match.version), pas \(expected)) : relisez-le / "
                    + "the follow-up changed (version \(match.version), not \(expected)): read it again",
                field: "version")
        }
        guard change.shortlisted != match.shortlisted || change.contacted != match.contacted else { return match }
        let now = Timestamp.now
        if change.shortlisted != match.shortlisted {
            match.shortlisted = change.shortlisted
            match.shortlistedAt = change.shortlisted ? now : nil
            match.shortlistedBy = change.shortlisted ? officer : nil
        }
        if change.contacted != match.contacted {
            match.contacted = change.contacted
            match.contactedAt = change.contacted ? now : nil
            match.contactedBy = change.contacted ? officer : nil
        }
        match.version += 1
        try db.execute(
            sql: """
                INSERT OR REPLACE INTO follow_ups (offer_id, candidate_id, shortlisted, shortlisted_at, shortlisted_by,
                    contacted, contacted_at, contacted_by, version)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                offer, candidate, match.shortlisted, match.shortlistedAt?.millisecondsSinceEpoch, match.shortlistedBy,
                match.contacted, match.contactedAt?.millisecondsSinceEpoch, match.contactedBy, match.version,
            ])
        return match
    }

    /// Forgets an erased person's marks, the idempotency keys of their marks, and their id in
    /// the audit trail of `/matches/…` (the entries stay, naming `effacé-erased` instead).
    static func erase(_ candidate: String, _ db: Database) throws {
        try db.execute(sql: "DELETE FROM follow_ups WHERE candidate_id = ?", arguments: [candidate])
        try db.execute(
            sql: "DELETE FROM idempotency WHERE resource LIKE '/matches/%' AND substr(resource, -?) = ?",
            arguments: [candidate.unicodeScalars.count + 1, "/" + candidate])
        try AuditLog.redact(segment: candidate, under: "/matches/", replacement: "effacé-erased", db)
    }

    private static let columns = """
        offer_id, candidate_id, score, breakdown, shortlisted, shortlisted_at, shortlisted_by,
        contacted, contacted_at, contacted_by, version
        """

    /// One offer's matches with their rank among all of them, then `outer` (a WHERE on them).
    private static func ranked(_ outer: String) -> String {
        """
        SELECT * FROM (
            SELECT \(columns), ROW_NUMBER() OVER (ORDER BY score DESC, registered_at, candidate_id) AS rank
            FROM matches LEFT JOIN follow_ups USING (offer_id, candidate_id) WHERE offer_id = ?
        ) \(outer)
        """
    }

    private static func followed(_ row: Row) throws -> FollowedMatch {
        FollowedMatch(
            offerId: row["offer_id"], candidateId: row["candidate_id"], score: row["score"],
            breakdown: try CanonicalJSON.decode([RuleScore].self, from: row["breakdown"] as Data), rank: row["rank"],
            shortlisted: row["shortlisted"] ?? false,
            shortlistedAt: (row["shortlisted_at"] as Int64?).map(Timestamp.init(millisecondsSinceEpoch:)),
            shortlistedBy: row["shortlisted_by"], contacted: row["contacted"] ?? false,
            contactedAt: (row["contacted_at"] as Int64?).map(Timestamp.init(millisecondsSinceEpoch:)),
            contactedBy: row["contacted_by"], version: row["version"] ?? 0)
    }
}
