import Foundation
import GRDB
import Messages
import ServiceKit

/// The registry's own tables: the current offers (the record as canonical JSON, plus the
/// columns that filters and checks need) and every version an offer went through.
enum OfferStore {
    static func migrate(_ migrator: inout DatabaseMigrator) {
        Idempotency.migrate(&migrator)
        migrator.registerMigration("offer-registry-v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE offers (
                        id TEXT PRIMARY KEY NOT NULL,
                        version INTEGER NOT NULL,
                        status TEXT NOT NULL,
                        country TEXT NOT NULL,
                        occupation TEXT NOT NULL,
                        employer TEXT NOT NULL,
                        start_date TEXT NOT NULL,
                        end_date TEXT,
                        deadline TEXT,
                        created INTEGER NOT NULL,
                        updated INTEGER NOT NULL,
                        fingerprint TEXT NOT NULL,
                        record BLOB NOT NULL
                    );
                    CREATE INDEX offers_listing ON offers (status, country, occupation, created);
                    CREATE INDEX offers_created ON offers (created, id);
                    CREATE INDEX offers_duplicates ON offers (employer, occupation, country);
                    CREATE INDEX offers_deadline ON offers (deadline) WHERE status != 'closed';
                    CREATE TABLE offer_versions (
                        id TEXT NOT NULL,
                        version INTEGER NOT NULL,
                        changed INTEGER NOT NULL,
                        record BLOB NOT NULL,
                        PRIMARY KEY (id, version)
                    ) WITHOUT ROWID;
                    """)
        }
        // The employer key became stricter (EmployerKey): recompute it for stored offers, so
        // that offers stored before still meet their copies.
        migrator.registerMigration("offer-registry-v2-employer-key") { db in
            let rows = try Row.fetchAll(db, sql: "SELECT id, record FROM offers")
            for row in rows {
                let offer = try CanonicalJSON.decode(Offer.self, from: row["record"] as Data)
                try db.execute(
                    sql: "UPDATE offers SET employer = ? WHERE id = ?",
                    arguments: [employerKey(offer.employer), row["id"] as String])
            }
        }
        migrator.registerMigration("offer-registry-v3-reference") { db in
            // The short reference SMS and officers quote (ES-2027-0042), unique; older offers get one.
            try db.execute(sql: "ALTER TABLE offers ADD COLUMN reference TEXT")
            let rows = try Row.fetchAll(
                db, sql: "SELECT id, country, start_date, record FROM offers ORDER BY created, id")
            for row in rows {
                var offer = try CanonicalJSON.decode(Offer.self, from: row["record"] as Data)
                let reference = try nextReference(country: row["country"], startDate: row["start_date"], db)
                offer.reference = reference
                try db.execute(
                    sql: "UPDATE offers SET reference = ?, record = ? WHERE id = ?",
                    arguments: [reference, Data(try CanonicalJSON.encode(offer)), row["id"] as String])
            }
            try db.execute(sql: "CREATE UNIQUE INDEX offers_reference ON offers (reference)")
        }
    }

    /// The employer as the duplicate check compares it (`EmployerKey`).
    static func employerKey(_ employer: Employer) -> String { EmployerKey.of(employer) }

    static func find(_ id: String, _ db: Database) throws -> Offer? {
        guard let data = try Data.fetchOne(db, sql: "SELECT record FROM offers WHERE id = ?", arguments: [id]) else {
            return nil
        }
        return try CanonicalJSON.decode(Offer.self, from: data)
    }

    /// The offer with this id, or else with this reference (`ES-2027-0042`, any case).
    static func find(idOrReference key: String, _ db: Database) throws -> Offer? {
        if let offer = try find(key, db) { return offer }
        guard
            let data = try Data.fetchOne(
                db, sql: "SELECT record FROM offers WHERE reference = ?", arguments: [key.uppercased()])
        else { return nil }
        return try CanonicalJSON.decode(Offer.self, from: data)
    }

    /// The next free reference for an offer to `country` starting in `startDate`'s year:
    /// `ES-2027-0042` (four digits, more past 9999).
    static func nextReference(country: String, startDate: String, _ db: Database) throws -> String {
        let prefix = "\(country)-\(startDate.prefix(4))-"
        let taken =
            try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM offers WHERE reference LIKE ? ESCAPE '\\'",
                arguments: [prefix.replacingOccurrences(of: "_", with: "\\_") + "%"]) ?? 0
        var number = taken + 1
        while try Bool.fetchOne(
            db, sql: "SELECT EXISTS (SELECT 1 FROM offers WHERE reference = ?)",
            arguments: [prefix + String(format: "%04d", number)]) ?? false
        {
            number += 1
        }
        return prefix + String(format: "%04d", number)
    }

    /// The other open offers of the same employer, occupation and country, with their dates
    /// (ISO, an open end as `9999-12-31`): what the duplicate check compares.
    static func openOffers(like offer: Offer, _ db: Database) throws -> [(id: String, start: String, end: String)] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT id, start_date, end_date FROM offers
                WHERE employer = ? AND occupation = ? AND country = ? AND status = 'open' AND id != ?
                """,
            arguments: [employerKey(offer.employer), offer.occupation, offer.country, offer.id]
        ).map { ($0["id"], $0["start_date"], ($0["end_date"] as String?) ?? "9999-12-31") }
    }

    /// The offer and the fingerprint of the request that created it (for ``Idempotency``).
    static func findWithFingerprint(_ id: String, _ db: Database) throws -> (record: Offer, fingerprint: String)? {
        guard
            let fingerprint = try String.fetchOne(
                db, sql: "SELECT fingerprint FROM offers WHERE id = ?", arguments: [id]),
            let offer = try find(id, db)
        else { return nil }
        return (offer, fingerprint)
    }

    static func insert(_ offer: Offer, fingerprint: String, _ db: Database) throws {
        let now = Timestamp.now.millisecondsSinceEpoch
        let record = Data(try CanonicalJSON.encode(offer))
        try db.execute(
            sql: """
                INSERT INTO offers (id, version, status, country, occupation, employer, start_date, end_date,
                                    deadline, created, updated, fingerprint, record, reference)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                offer.id, offer.version ?? 1, offer.status.rawValue, offer.country, offer.occupation,
                employerKey(offer.employer), offer.startDate.description, offer.endDate?.description,
                offer.applicationDeadline?.description, now, now, fingerprint, record, offer.reference,
            ])
        try recordVersion(offer, record, db)
    }

    static func update(_ offer: Offer, _ db: Database) throws {
        let record = Data(try CanonicalJSON.encode(offer))
        try db.execute(
            sql: """
                UPDATE offers SET version = ?, status = ?, country = ?, occupation = ?, employer = ?, start_date = ?,
                                  end_date = ?, deadline = ?, updated = ?, record = ?
                WHERE id = ?
                """,
            arguments: [
                offer.version ?? 1, offer.status.rawValue, offer.country, offer.occupation,
                employerKey(offer.employer), offer.startDate.description, offer.endDate?.description,
                offer.applicationDeadline?.description, Timestamp.now.millisecondsSinceEpoch, record, offer.id,
            ])
        try recordVersion(offer, record, db)
    }

    private static func recordVersion(_ offer: Offer, _ record: Data, _ db: Database) throws {
        try db.execute(
            sql: "INSERT INTO offer_versions (id, version, changed, record) VALUES (?, ?, ?, ?)",
            arguments: [offer.id, offer.version ?? 1, Timestamp.now.millisecondsSinceEpoch, record])
    }

    /// Every version of an offer, oldest first, with when it was stored.
    static func versions(_ id: String, _ db: Database) throws -> [OfferVersion] {
        try Row.fetchAll(
            db, sql: "SELECT version, changed, record FROM offer_versions WHERE id = ? ORDER BY version",
            arguments: [id]
        ).map { row in
            OfferVersion(
                version: row["version"], changedAt: Timestamp(millisecondsSinceEpoch: row["changed"]),
                offer: try CanonicalJSON.decode(Offer.self, from: row["record"] as Data))
        }
    }

    struct Filter {
        var country: String?
        /// An ISCO-08 code at any level: `7` lists every craft offer, `7112` one unit group.
        var occupation: String?
        var status: OfferStatus?
        /// true: offers with at least one flag; false: none.
        var flagged: Bool?
        var limit = 50
        var offset = 0
    }

    /// One page of offers, newest first, and how many match in all.
    static func list(_ filter: Filter, _ db: Database) throws -> (offers: [Offer], total: Int) {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let country = filter.country {
            conditions.append("country = ?")
            arguments += [country]
        }
        if let occupation = filter.occupation {
            // A prefix range keeps the index usable: '71' ≤ code < '71\u{FFFF}'.
            conditions.append("occupation >= ? AND occupation < ?")
            arguments += [occupation, occupation + "\u{FFFF}"]
        }
        if let status = filter.status {
            conditions.append("status = ?")
            arguments += [status.rawValue]
        }
        if let flagged = filter.flagged {
            // Few offers (thousands): the flags are read from the record rather than indexed.
            conditions.append("json_array_length(CAST(record AS TEXT), '$.flags') \(flagged ? ">" : "=") 0")
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM offers \(whereClause)", arguments: arguments) ?? 0
        let page = try Data.fetchAll(
            db, sql: "SELECT record FROM offers \(whereClause) ORDER BY created DESC, id LIMIT ? OFFSET ?",
            arguments: arguments + [filter.limit, filter.offset])
        return (try page.map { try CanonicalJSON.decode(Offer.self, from: $0) }, total)
    }

    /// Offers not closed whose application deadline is before `today`.
    static func pastDeadline(_ today: LocalDate, _ db: Database) throws -> [String] {
        try String.fetchAll(
            db, sql: "SELECT id FROM offers WHERE status != 'closed' AND deadline < ? ORDER BY deadline, id",
            arguments: [today.description])
    }
}

/// One entry of `GET /offers/{id}/versions`: what the offer was from `changedAt` on.
struct OfferVersion: Codable, Sendable {
    let version: Int
    let changedAt: Timestamp
    let offer: Offer
}
