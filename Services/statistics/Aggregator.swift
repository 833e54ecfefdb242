import GRDB
import Messages
import ServiceKit

/// Applies one event to the records and moves the counts it changes, in the inbox's
/// transaction: every record the event touches (and every record whose counts depend on it)
/// first takes back what it contributed, then adds what it contributes after the change.
struct Aggregator: Sendable {
    let contributions: Contributions
    /// Set when a person was erased, for a WAL checkpoint after the transaction.
    var erased: ErasureFlag? = nil

    func apply(_ envelope: Envelope, _ db: Database) throws {
        switch envelope.payload {
        case .offerPublished(let offer), .offerUpdated(let offer), .offerClosed(let offer):
            try save(offer, at: envelope.time, db)
        case .candidateRegistered(let profile), .candidateUpdated(let profile):
            try save(profile, active: true, at: envelope.time, db)
        case .candidateWithdrawn(let profile):
            try save(profile, active: false, at: envelope.time, db)
        case .candidateErased(let erasure):
            try erase(erasure.candidateId, db)
        case .matchFound(let match):
            try change(
                [
                    .match(offer: match.offerId, candidate: match.candidateId), .candidate(match.candidateId),
                    .offer(match.offerId),
                ], db
            ) {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO matches (offer_id, candidate_id, score, month) VALUES (?, ?, ?, ?)",
                    arguments: [match.offerId, match.candidateId, match.score, Month.of(envelope.time)])
            }
        case .matchWithdrawn(let match):
            try change(
                [
                    .match(offer: match.offerId, candidate: match.candidateId), .candidate(match.candidateId),
                    .offer(match.offerId),
                ], db
            ) {
                try db.execute(
                    sql: "DELETE FROM matches WHERE offer_id = ? AND candidate_id = ?",
                    arguments: [match.offerId, match.candidateId])
            }
        case .notificationSent(let sent):
            try change([.notification(sent.notificationId), .candidate(sent.candidateId)], db) {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO notifications (id, candidate_id, offer_id, month) VALUES (?, ?, ?, ?)",
                    arguments: [sent.notificationId, sent.candidateId, sent.offerId, Month.of(envelope.time)])
            }
        case .notificationReply(let reply):
            // A reply has no id of its own: the event that carried it is unique.
            let id = "\(envelope.source)#\(envelope.seq)"
            try change([.reply(id), .candidate(reply.candidateId)], db) {
                try db.execute(
                    sql: """
                        INSERT OR IGNORE INTO replies (id, candidate_id, offer_id, intent, month)
                        VALUES (?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        id, reply.candidateId, reply.offerId, reply.intent.rawValue, Month.of(reply.receivedAt),
                    ])
            }
        default:
            break  // notification.failed, contact.*, heartbeats and topics of later versions count nothing
        }
    }

    /// Takes back what `keys` contributed, runs `mutate`, adds what they contribute now.
    func change(_ keys: [RecordKey], _ db: Database, _ mutate: () throws -> Void) throws {
        var delta: [Cell: Int] = [:]
        for key in keys { try contributions.of(key, db, into: &delta, sign: -1) }
        try mutate()
        for key in keys { try contributions.of(key, db, into: &delta, sign: 1) }
        try StatisticsStore.add(delta, db)
    }

    private func save(_ offer: Offer, at time: Timestamp, _ db: Database) throws {
        let opened = offer.openedAt ?? (offer.status == .open ? time : nil)
        try change(try dependents(ofOffer: offer.id, db), db) {
            try db.execute(
                sql: """
                    INSERT INTO offers (id, country, occupation, contract, positions, status, was_open, month,
                        salary_amount, salary_currency, salary_period)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET country = excluded.country, occupation = excluded.occupation,
                        contract = excluded.contract, positions = excluded.positions, status = excluded.status,
                        was_open = offers.was_open OR excluded.was_open, month = COALESCE(offers.month, excluded.month),
                        salary_amount = excluded.salary_amount, salary_currency = excluded.salary_currency,
                        salary_period = excluded.salary_period
                    """,
                arguments: [
                    offer.id, offer.country, offer.occupation, offer.contract.rawValue, offer.positions,
                    offer.status.rawValue, opened != nil, opened.map(Month.of), offer.salary.amount,
                    offer.salary.currency, offer.salary.period.rawValue,
                ])
        }
    }

    private func save(_ profile: CandidateProfile, active: Bool, at time: Timestamp, _ db: Database) throws {
        let registered = profile.registeredAt ?? time
        let counted = profile.consent.statistics
        try change(try dependents(ofCandidate: profile.id, db), db) {
            // Someone who refused statistics leaves only their id and that refusal.
            let languages = Set(profile.languages.map(\.code)).sorted().joined(separator: ",")
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO candidates (id, counted, active, region, residence, gender, age_band,
                        occupation, education, languages, month)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    profile.id, counted, active, counted ? profile.region : nil, counted ? profile.residence : nil,
                    counted ? profile.gender.rawValue : nil,
                    counted ? AgeBand.of(birthYear: profile.birthYear, in: Month.year(of: registered)) : nil,
                    counted ? profile.occupations.first.map { String($0.prefix(2)) } : nil,
                    counted ? profile.education : nil, counted ? languages : nil,
                    counted ? Month.of(registered) : nil,
                ])
        }
    }

    private func erase(_ candidateId: String, _ db: Database) throws {
        try change(try dependents(ofCandidate: candidateId, db), db) {
            for table in ["matches", "notifications", "replies"] {
                try db.execute(sql: "DELETE FROM \(table) WHERE candidate_id = ?", arguments: [candidateId])
            }
            try db.execute(sql: "DELETE FROM candidates WHERE id = ?", arguments: [candidateId])
        }
        erased?.set()
    }

    /// An offer and the matches, notifications and replies counted by its destination and trade.
    private func dependents(ofOffer id: String, _ db: Database) throws -> [RecordKey] {
        let matches = try String.fetchAll(
            db.cachedStatement(sql: "SELECT candidate_id FROM matches WHERE offer_id = ?"), arguments: [id])
        let notifications = try String.fetchAll(
            db.cachedStatement(sql: "SELECT id FROM notifications WHERE offer_id = ?"), arguments: [id])
        let replies = try String.fetchAll(
            db.cachedStatement(sql: "SELECT id FROM replies WHERE offer_id = ?"), arguments: [id])
        return [.offer(id)] + matches.map { .match(offer: id, candidate: $0) }
            + notifications.map(RecordKey.notification)
            + replies.map(RecordKey.reply)
    }

    /// A person and everything counted only while they are: their matches (and those offers'
    /// unmet positions), notifications and replies.
    private func dependents(ofCandidate id: String, _ db: Database) throws -> [RecordKey] {
        let offers = try String.fetchAll(
            db.cachedStatement(sql: "SELECT offer_id FROM matches WHERE candidate_id = ?"), arguments: [id])
        let notifications = try String.fetchAll(
            db.cachedStatement(sql: "SELECT id FROM notifications WHERE candidate_id = ?"), arguments: [id])
        let replies = try String.fetchAll(
            db.cachedStatement(sql: "SELECT id FROM replies WHERE candidate_id = ?"), arguments: [id])
        return [.candidate(id)] + offers.flatMap { [RecordKey.match(offer: $0, candidate: id), .offer($0)] }
            + notifications.map(RecordKey.notification) + replies.map(RecordKey.reply)
    }

    /// Every cell recomputed from the records: what `cells` must equal (the tests and `statistics
    /// bench` check it; at 1,000,000 candidates it takes about 20 s, so nothing runs it live).
    func recomputed(_ db: Database) throws -> [Cell: Int] {
        var cells: [Cell: Int] = [:]
        for id in try String.fetchAll(db, sql: "SELECT id FROM offers") {
            try contributions.of(.offer(id), db, into: &cells, sign: 1)
        }
        for id in try String.fetchAll(db, sql: "SELECT id FROM candidates") {
            try contributions.of(.candidate(id), db, into: &cells, sign: 1)
        }
        for row in try Row.fetchAll(db, sql: "SELECT offer_id, candidate_id FROM matches") {
            try contributions.of(
                .match(offer: row["offer_id"], candidate: row["candidate_id"]), db, into: &cells, sign: 1)
        }
        for id in try String.fetchAll(db, sql: "SELECT id FROM notifications") {
            try contributions.of(.notification(id), db, into: &cells, sign: 1)
        }
        for id in try String.fetchAll(db, sql: "SELECT id FROM replies") {
            try contributions.of(.reply(id), db, into: &cells, sign: 1)
        }
        // And the whole-period totals that `StatisticsStore.add` keeps beside the months.
        for (cell, n) in cells where n != 0 {
            cells[Cell(cell.measure, cell.k1, cell.k2, month: StatisticsStore.allMonths), default: 0] += n
        }
        return cells.filter { $0.value != 0 }
    }
}

/// Months as `YYYY-MM` (UTC), the grain of every count (the calendar is `Messages`' `LocalDate`).
enum Month {
    static func of(_ time: Timestamp) -> String {
        let date = LocalDate(time)
        return "\(date.year)-\(date.month < 10 ? "0" : "")\(date.month)"
    }

    static func year(of time: Timestamp) -> Int { LocalDate(time).year }
}
