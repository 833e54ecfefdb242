import Foundation
import GRDB
import Messages

/// The notifier's tables: what it needs to write a message (offers: reference, title,
/// place, deadline; candidates: number, language, channel, consent), and every message it
/// sent or received, with its outcome. Erasure removes the person's rows.
enum NotifierStore {
    static func migrate(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("notifier-v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE offers (
                        id TEXT PRIMARY KEY NOT NULL, reference TEXT, title TEXT NOT NULL, country TEXT NOT NULL,
                        city TEXT NOT NULL, employer TEXT NOT NULL, deadline TEXT, status TEXT NOT NULL);
                    CREATE INDEX offers_reference ON offers (reference);
                    CREATE TABLE candidates (
                        id TEXT PRIMARY KEY NOT NULL, notifications INTEGER NOT NULL DEFAULT 0,
                        residence TEXT, phone TEXT, language TEXT, channel TEXT, stopped INTEGER NOT NULL DEFAULT 0);
                    CREATE INDEX candidates_phone ON candidates (phone);
                    CREATE TABLE messages (
                        id TEXT PRIMARY KEY NOT NULL,
                        dedup TEXT UNIQUE,
                        direction TEXT NOT NULL,
                        candidate_id TEXT,
                        offer_id TEXT,
                        template TEXT NOT NULL,
                        phone TEXT,
                        text TEXT,
                        channel TEXT,
                        status TEXT NOT NULL,
                        attempts INTEGER NOT NULL DEFAULT 0,
                        next_attempt INTEGER,
                        detail TEXT,
                        created INTEGER NOT NULL,
                        updated INTEGER NOT NULL);
                    CREATE INDEX messages_due ON messages (status, next_attempt);
                    CREATE INDEX messages_candidate ON messages (candidate_id, created);
                    CREATE INDEX messages_phone ON messages (phone, created);
                    """)
        }
    }

    // MARK: What the inbox keeps

    static func saveOffer(_ offer: Offer, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT OR REPLACE INTO offers (id, reference, title, country, city, employer, deadline, status)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                offer.id, offer.reference, offer.title, offer.country, offer.city, offer.employer.name,
                offer.applicationDeadline?.description, offer.status.rawValue,
            ])
    }

    static func saveProfile(_ profile: CandidateProfile, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO candidates (id, notifications, residence) VALUES (?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET notifications = excluded.notifications, residence = excluded.residence
                """,
            arguments: [profile.id, profile.consent.notifications, profile.residence])
    }

    static func saveContact(_ details: ContactDetails, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO candidates (id, phone, language, channel) VALUES (?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET phone = excluded.phone, language = excluded.language,
                                               channel = excluded.channel
                """,
            arguments: [
                details.candidateId, details.contact.phone, details.contact.language.rawValue,
                details.contact.preferredChannel.rawValue,
            ])
    }

    /// Erasure: the person's contact, consent and every message to or from them.
    static func erase(_ candidateId: String, _ db: Database) throws {
        let phone = try String.fetchOne(db, sql: "SELECT phone FROM candidates WHERE id = ?", arguments: [candidateId])
        try db.execute(sql: "DELETE FROM messages WHERE candidate_id = ?", arguments: [candidateId])
        if let phone { try db.execute(sql: "DELETE FROM messages WHERE phone = ?", arguments: [phone]) }
        try db.execute(sql: "DELETE FROM candidates WHERE id = ?", arguments: [candidateId])
    }

    // MARK: Messages

    /// Queues a message to send; `dedup` makes it once only (a match and a channel).
    /// Returns whether it was queued (false: that message exists already).
    @discardableResult
    static func enqueue(
        dedup: String?, candidateId: String?, offerId: String?, template: String, phone: String? = nil,
        text: String? = nil, now: Timestamp = .now, _ db: Database
    ) throws -> Bool {
        try db.execute(
            sql: """
                INSERT OR IGNORE INTO messages (id, dedup, direction, candidate_id, offer_id, template, phone, text,
                                                status, next_attempt, created, updated)
                VALUES (?, ?, 'out', ?, ?, ?, ?, ?, 'pending', ?, ?, ?)
                """,
            arguments: [
                UUID().uuidString.lowercased(), dedup, candidateId, offerId, template, phone, text,
                now.millisecondsSinceEpoch, now.millisecondsSinceEpoch, now.millisecondsSinceEpoch,
            ])
        return db.changesCount == 1
    }

    /// A withdrawn match is not announced if its message has not gone yet.
    static func cancel(dedup: String, _ db: Database) throws {
        try db.execute(
            sql:
                "UPDATE messages SET status = 'cancelled', detail = 'match withdrawn' WHERE dedup = ? AND status = 'pending'",
            arguments: [dedup])
    }

    /// Records a received message once per gateway id (Kannel may deliver it again);
    /// returns false when it was already recorded.
    static func received(
        gatewayId: String?, phone: String, text: String, candidateId: String?, now: Timestamp = .now, _ db: Database
    ) throws -> Bool {
        try db.execute(
            sql: """
                INSERT OR IGNORE INTO messages (id, dedup, direction, candidate_id, template, phone, text, status,
                                                created, updated)
                VALUES (?, ?, 'in', ?, 'inbound', ?, ?, 'received', ?, ?)
                """,
            arguments: [
                UUID().uuidString.lowercased(), gatewayId.map { "in \($0)" }, candidateId, phone, text,
                now.millisecondsSinceEpoch, now.millisecondsSinceEpoch,
            ])
        return db.changesCount == 1
    }

    struct Due: Sendable {
        var id: String
        var candidateId: String?
        var offerId: String?
        var template: String
        var phone: String?
        /// Set for an answer to an inbound SMS (written when it came); nil: written at send time.
        var text: String?
        var attempts: Int
        var created: Int64
    }

    static func due(now: Timestamp, limit: Int, _ db: Database) throws -> [Due] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT id, candidate_id, offer_id, template, phone, text, attempts, created FROM messages
                WHERE status = 'pending' AND next_attempt <= ? ORDER BY next_attempt LIMIT ?
                """,
            arguments: [now.millisecondsSinceEpoch, limit]
        ).map {
            Due(
                id: $0["id"], candidateId: $0["candidate_id"], offerId: $0["offer_id"], template: $0["template"],
                phone: $0["phone"], text: $0["text"], attempts: $0["attempts"], created: $0["created"])
        }
    }

    static func candidate(_ id: String, _ db: Database) throws -> Row? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM candidates WHERE id = ?"), arguments: [id])
    }

    static func candidate(phone: String, _ db: Database) throws -> Row? {
        try Row.fetchOne(db, sql: "SELECT * FROM candidates WHERE phone = ?", arguments: [phone])
    }

    static func offer(_ id: String, _ db: Database) throws -> Row? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM offers WHERE id = ?"), arguments: [id])
    }

    static func offer(reference: String, _ db: Database) throws -> Row? {
        try Row.fetchOne(db, sql: "SELECT * FROM offers WHERE reference = ?", arguments: [reference.uppercased()])
    }

    /// Messages sent to a candidate since `since` (the daily limit).
    static func sentCount(candidateId: String, since: Timestamp, _ db: Database) throws -> Int {
        try Int.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT COUNT(*) FROM messages WHERE candidate_id = ? AND direction = 'out'
                    AND status IN ('sending', 'sent', 'delivered') AND updated >= ?
                    """),
            arguments: [candidateId, since.millisecondsSinceEpoch]) ?? 0
    }

    static func update(
        _ id: String, status: String, text: String? = nil, phone: String? = nil, channel: String? = nil,
        attempts: Int? = nil, nextAttempt: Timestamp? = nil, detail: String? = nil, now: Timestamp = .now,
        _ db: Database
    ) throws {
        try db.cachedStatement(
            sql: """
                UPDATE messages SET status = ?, text = COALESCE(?, text), phone = COALESCE(?, phone),
                    channel = COALESCE(?, channel), attempts = COALESCE(?, attempts), next_attempt = ?,
                    detail = COALESCE(?, detail), updated = ?
                WHERE id = ?
                """
        ).execute(
            arguments: [
                status, text, phone, channel, attempts, nextAttempt?.millisecondsSinceEpoch, detail,
                now.millisecondsSinceEpoch, id,
            ])
    }

    /// A message the channel took: `sending` becomes `sent`. True when it was sent (a delivery
    /// report may have come first); false when it is gone meanwhile (erased).
    static func markSent(_ id: String, detail: String?, now: Timestamp, _ db: Database) throws -> Bool {
        try db.cachedStatement(
            sql: """
                UPDATE messages SET status = 'sent', next_attempt = NULL, detail = ?, updated = ?
                WHERE id = ? AND status = 'sending'
                """
        ).execute(arguments: [detail, now.millisecondsSinceEpoch, id])
        if db.changesCount > 0 { return true }
        let status = try String.fetchOne(db, sql: "SELECT status FROM messages WHERE id = ?", arguments: [id])
        return status == "delivered" || status == "undelivered"
    }

    /// A message the channel refused: back to `pending` at `nextAttempt`, or `failed` when it
    /// was the last try. False when it is gone meanwhile (erased).
    static func markNotSent(
        _ id: String, final: Bool, nextAttempt: Timestamp?, detail: String, now: Timestamp, _ db: Database
    ) throws -> Bool {
        try db.cachedStatement(
            sql: """
                UPDATE messages SET status = ?, next_attempt = ?, detail = ?, updated = ?
                WHERE id = ? AND status = 'sending'
                """
        ).execute(
            arguments: [
                final ? "failed" : "pending", nextAttempt?.millisecondsSinceEpoch, detail, now.millisecondsSinceEpoch,
                id,
            ])
        return db.changesCount > 0
    }

    /// Messages left `sending` by a notifier that stopped while handing them to the channel.
    static func interrupted(_ db: Database) throws -> [Due] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT id, candidate_id, offer_id, template, phone, text, attempts, created FROM messages
                WHERE status = 'sending'
                """
        ).map {
            Due(
                id: $0["id"], candidateId: $0["candidate_id"], offerId: $0["offer_id"], template: $0["template"],
                phone: $0["phone"], text: $0["text"], attempts: $0["attempts"], created: $0["created"])
        }
    }

    /// Deletes messages older than `cutoff` (retention).
    static func prune(olderThan cutoff: Timestamp, _ db: Database) throws -> Int {
        try db.execute(
            sql: "DELETE FROM messages WHERE updated < ? AND status NOT IN ('pending', 'sending')",
            arguments: [cutoff.millisecondsSinceEpoch])
        return db.changesCount
    }

    /// What `GET /notifications?candidate=` lists: newest first.
    static func messages(candidateId: String, limit: Int, offset: Int = 0, _ db: Database) throws -> [MessageView] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT id, direction, offer_id, template, text, channel, status, attempts, detail, created, updated
                FROM messages WHERE candidate_id = ? ORDER BY created DESC, id LIMIT ? OFFSET ?
                """,
            arguments: [candidateId, limit, offset]
        ).map {
            MessageView(
                id: $0["id"], direction: $0["direction"], offerId: $0["offer_id"], template: $0["template"],
                text: $0["text"], channel: $0["channel"], status: $0["status"], attempts: $0["attempts"],
                detail: $0["detail"], created: Timestamp(millisecondsSinceEpoch: $0["created"]),
                updated: Timestamp(millisecondsSinceEpoch: $0["updated"]))
        }
    }
}

/// One message as officers see it.
struct MessageView: Codable, Sendable {
    var id: String
    var direction: String
    var offerId: String?
    var template: String
    var text: String?
    var channel: String?
    var status: String
    var attempts: Int
    var detail: String?
    var created: Timestamp
    var updated: Timestamp
}
