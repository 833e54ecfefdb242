import GRDB
import Messages

/// A record the service keeps, by its key.
enum RecordKey: Hashable, Sendable {
    case offer(String)
    case candidate(String)
    case match(offer: String, candidate: String)
    case notification(String)
    case reply(String)
}

/// What each record adds to `cells`, read from the current rows. A record that is not there
/// (erased, not arrived yet, refused statistics) adds nothing; a match, a notification or a
/// reply adds nothing until both its candidate (counted) and its offer are known.
struct Contributions: Sendable {
    /// The lowest score that makes a good match (unmet demand).
    var goodScore: Int

    func of(_ key: RecordKey, _ db: Database, into cells: inout [Cell: Int], sign: Int) throws {
        switch key {
        case .offer(let id): try offer(id, db, &cells, sign)
        case .candidate(let id): try candidate(id, db, &cells, sign)
        case .match(let offerId, let candidateId): try match(offerId, candidateId, db, &cells, sign)
        case .notification(let id):
            guard
                let row = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT candidate_id, offer_id, month FROM notifications WHERE id = ?"),
                    arguments: [id])
            else { return }
            try outcome(.notificationsSent, row["candidate_id"], row["offer_id"], row["month"], db, &cells, sign)
        case .reply(let id):
            guard
                let row = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT candidate_id, offer_id, intent, month FROM replies WHERE id = ?"),
                    arguments: [id])
            else { return }
            let measure: Measure? =
                switch row["intent"] as String {
                case "interested": .repliesInterested
                case "declined": .repliesDeclined
                case "stop": .repliesStop
                default: nil
                }
            if let measure {
                try outcome(measure, row["candidate_id"], row["offer_id"], row["month"], db, &cells, sign)
            }
        }
    }

    private func offer(_ id: String, _ db: Database, _ cells: inout [Cell: Int], _ sign: Int) throws {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM offers WHERE id = ?"), arguments: [id]),
            row["was_open"] as Bool, let month: String = row["month"]
        else { return }
        let country: String = row["country"]
        let group = String((row["occupation"] as String).prefix(2))
        let positions: Int = row["positions"]
        cells[Cell(.offers, country, group, month: month), default: 0] += sign
        cells[Cell(.positions, country, group, month: month), default: 0] += sign * positions
        cells[Cell(.offersByContract, row["contract"], month: month), default: 0] += sign
        guard row["status"] as String == "open" else { return }
        cells[Cell(.openPositions, country, group, month: month), default: 0] += sign * positions
        let good =
            try Int.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT COUNT(*) FROM matches JOIN candidates ON candidates.id = matches.candidate_id
                        WHERE matches.offer_id = ? AND matches.score >= ? AND candidates.counted = 1
                        """),
                arguments: [id, goodScore]) ?? 0
        let unmet = max(0, positions - good)
        if unmet > 0 { cells[Cell(.unmetPositions, country, group, month: month), default: 0] += sign * unmet }
    }

    private func candidate(_ id: String, _ db: Database, _ cells: inout [Cell: Int], _ sign: Int) throws {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT * FROM candidates WHERE id = ? AND counted = 1"), arguments: [id]),
            let month: String = row["month"]
        else { return }
        let group: String = row["occupation"] ?? ""
        cells[Cell(.candidates, row["region"] ?? "", row["gender"] ?? "", month: month), default: 0] += sign
        cells[Cell(.candidatesByResidence, row["residence"] ?? "", month: month), default: 0] += sign
        cells[Cell(.candidatesByAge, row["age_band"] ?? "", month: month), default: 0] += sign
        cells[Cell(.candidatesByOccupation, group, month: month), default: 0] += sign
        cells[Cell(.candidatesByEducation, "\(row["education"] as Int? ?? 0)", month: month), default: 0] += sign
        for language in (row["languages"] as String? ?? "").split(separator: ",") {
            cells[Cell(.candidatesByLanguage, String(language), month: month), default: 0] += sign
        }
        if row["active"] as Bool { cells[Cell(.supply, group, month: month), default: 0] += sign }
        cells[Cell(.funnel, FunnelStage.registered.rawValue, month: month), default: 0] += sign
        let reached: [(FunnelStage, String)] = [
            (.matched, "SELECT EXISTS (SELECT 1 FROM matches WHERE candidate_id = ?)"),
            (.notified, "SELECT EXISTS (SELECT 1 FROM notifications WHERE candidate_id = ?)"),
            (.interested, "SELECT EXISTS (SELECT 1 FROM replies WHERE candidate_id = ? AND intent = 'interested')"),
        ]
        for (stage, sql) in reached where try Bool.fetchOne(db.cachedStatement(sql: sql), arguments: [id]) == true {
            cells[Cell(.funnel, stage.rawValue, month: month), default: 0] += sign
        }
    }

    private func match(
        _ offerId: String, _ candidateId: String, _ db: Database, _ cells: inout [Cell: Int], _ sign: Int
    ) throws {
        guard
            let month = try String.fetchOne(
                db.cachedStatement(sql: "SELECT month FROM matches WHERE offer_id = ? AND candidate_id = ?"),
                arguments: [offerId, candidateId])
        else { return }
        try outcome(.matches, candidateId, offerId, month, db, &cells, sign)
    }

    /// A match, notification or reply: counted by its offer's destination and trade, once its
    /// candidate is counted (and its offer known, when it names one).
    private func outcome(
        _ measure: Measure, _ candidateId: String, _ offerId: String?, _ month: String, _ db: Database,
        _ cells: inout [Cell: Int], _ sign: Int
    ) throws {
        guard
            try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM candidates WHERE id = ? AND counted = 1)"),
                arguments: [candidateId]) == true
        else { return }
        var country = ""
        var group = ""
        if let offerId {
            guard
                let offer = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT country, occupation FROM offers WHERE id = ?"), arguments: [offerId]
                )
            else { return }
            country = offer["country"]
            group = String((offer["occupation"] as String).prefix(2))
        }
        cells[Cell(measure, country, group, month: month), default: 0] += sign
    }
}
