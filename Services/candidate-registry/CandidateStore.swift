import Foundation
import GRDB
import Messages
import ServiceKit

/// The registry's tables. The profile (what other services may know) and the person's name
/// and contact (what only the registry and the notifier may know) are kept apart, as on the
/// bus. Erasure deletes the person's earlier outbox rows by their record (``Outbox/forget``).
enum CandidateStore {
    static func migrate(_ migrator: inout DatabaseMigrator) {
        Idempotency.migrate(&migrator)
        migrator.registerMigration("candidate-registry-v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE candidates (
                        id TEXT PRIMARY KEY NOT NULL,
                        profile BLOB NOT NULL,
                        name BLOB NOT NULL,
                        contact BLOB NOT NULL,
                        registered INTEGER NOT NULL,
                        updated INTEGER NOT NULL,
                        fingerprint TEXT NOT NULL
                    );
                    CREATE TABLE consent_log (
                        candidate TEXT NOT NULL,
                        purpose TEXT NOT NULL,
                        granted INTEGER NOT NULL,
                        at INTEGER NOT NULL,
                        via TEXT NOT NULL
                    );
                    CREATE INDEX consent_log_candidate ON consent_log (candidate, purpose, at);
                    CREATE TABLE contact_rows (
                        candidate TEXT NOT NULL,
                        seq INTEGER NOT NULL,
                        PRIMARY KEY (candidate, seq)
                    ) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("candidate-registry-v2-no-contact-rows") { db in
            // Erasure now finds the person's outbox rows by their record (ServiceKit's outbox).
            try db.execute(sql: "DROP TABLE contact_rows")
        }
        migrator.registerMigration("candidate-registry-v3-search") { db in
            // GET /candidates: search keys, filled for the candidates already registered.
            try createSearchIndex(db)
        }
    }

    static func find(_ id: String, _ db: Database) throws -> Candidate? {
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT profile, name, contact FROM candidates WHERE id = ?", arguments: [id])
        else { return nil }
        return try candidate(row)
    }

    /// The candidate in a row holding `profile`, `name` and `contact`.
    static func candidate(_ row: Row) throws -> Candidate {
        Candidate(
            profile: try CanonicalJSON.decode(CandidateProfile.self, from: row["profile"] as Data),
            name: try CanonicalJSON.decode(PersonName.self, from: row["name"] as Data),
            contact: try CanonicalJSON.decode(Contact.self, from: row["contact"] as Data))
    }

    static func exists(_ id: String, _ db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM candidates WHERE id = ?)", arguments: [id]) ?? false
    }

    /// The candidate and the fingerprint of the request that registered them (for ``Idempotency``).
    static func findWithFingerprint(_ id: String, _ db: Database) throws -> (record: Candidate, fingerprint: String)? {
        guard
            let fingerprint = try String.fetchOne(
                db, sql: "SELECT fingerprint FROM candidates WHERE id = ?", arguments: [id]),
            let candidate = try find(id, db)
        else { return nil }
        return (candidate, fingerprint)
    }

    static func insert(_ candidate: Candidate, fingerprint: String, _ db: Database) throws {
        let now = Timestamp.now.millisecondsSinceEpoch
        try db.execute(
            sql: """
                INSERT INTO candidates (
                    id, profile, name, contact, registered, updated, fingerprint, phone_key, name_key, birth_year)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                candidate.profile.id, Data(try CanonicalJSON.encode(candidate.profile)),
                Data(try CanonicalJSON.encode(candidate.name)), Data(try CanonicalJSON.encode(candidate.contact)),
                now, now, fingerprint,
            ] + searchColumns(candidate))
        try indexNameWords(candidate, db)
    }

    static func update(_ candidate: Candidate, _ db: Database) throws {
        try db.execute(
            sql: """
                UPDATE candidates SET profile = ?, name = ?, contact = ?, updated = ?,
                    phone_key = ?, name_key = ?, birth_year = ?
                WHERE id = ?
                """,
            arguments: [
                Data(try CanonicalJSON.encode(candidate.profile)), Data(try CanonicalJSON.encode(candidate.name)),
                Data(try CanonicalJSON.encode(candidate.contact)), Timestamp.now.millisecondsSinceEpoch,
            ] + searchColumns(candidate) + [candidate.profile.id])
        try indexNameWords(candidate, db)
    }

    static func logConsent(
        _ id: String, purpose: String, granted: Bool, at: Timestamp, via: String, _ db: Database
    )
        throws
    {
        try db.execute(
            sql: "INSERT INTO consent_log (candidate, purpose, granted, at, via) VALUES (?, ?, ?, ?, ?)",
            arguments: [id, purpose, granted, at.millisecondsSinceEpoch, via])
    }

    /// The latest decision per purpose.
    static func consent(_ id: String, _ db: Database) throws -> [String: PurposeConsent] {
        var latest: [String: PurposeConsent] = [:]
        for row in try Row.fetchAll(
            db, sql: "SELECT purpose, granted, at, via FROM consent_log WHERE candidate = ? ORDER BY at, rowid",
            arguments: [id])
        {
            latest[row["purpose"]] = PurposeConsent(
                granted: row["granted"], at: Timestamp(millisecondsSinceEpoch: row["at"]), via: row["via"])
        }
        return latest
    }

    /// Deletes everything the registry holds about the person; the search keys are in the
    /// row, the name words go with it (ON DELETE CASCADE).
    static func delete(_ id: String, _ db: Database) throws {
        try db.execute(sql: "DELETE FROM candidates WHERE id = ?", arguments: [id])
        try db.execute(sql: "DELETE FROM consent_log WHERE candidate = ?", arguments: [id])
        try Idempotency.forget(resource: id, db)
    }
}
