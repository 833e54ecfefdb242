import GRDB
import ServiceKit

/// The statistics service's SQLite: per-record rows (what an update needs to move its counts,
/// and never a name or a contact) and `cells`, the aggregates every query reads.
///
/// Every record contributes a few counts to `cells` (``Contributions``); when a record
/// changes, the service subtracts what it contributed and adds what it contributes now, in
/// the transaction that applies the event. `cells` is therefore always the sum of the
/// current records' contributions, whatever order the streams arrived in: that is why a
/// rebuild from a replay arrives at the same numbers.
enum StatisticsStore {
    static func migrate(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("statistics-v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE offers (
                        id TEXT PRIMARY KEY, country TEXT NOT NULL, occupation TEXT NOT NULL,
                        contract TEXT NOT NULL, positions INTEGER NOT NULL, status TEXT NOT NULL,
                        was_open INTEGER NOT NULL, month TEXT,
                        salary_amount REAL NOT NULL, salary_currency TEXT NOT NULL, salary_period TEXT NOT NULL);
                    -- One row per person; only `counted` for someone who refused statistics.
                    CREATE TABLE candidates (
                        id TEXT PRIMARY KEY, counted INTEGER NOT NULL, active INTEGER NOT NULL DEFAULT 1,
                        region TEXT, residence TEXT, gender TEXT, age_band TEXT, occupation TEXT,
                        education INTEGER, languages TEXT, month TEXT);
                    CREATE TABLE matches (
                        offer_id TEXT NOT NULL, candidate_id TEXT NOT NULL, score INTEGER NOT NULL, month TEXT NOT NULL,
                        PRIMARY KEY (offer_id, candidate_id)) WITHOUT ROWID;
                    CREATE INDEX matches_candidate ON matches (candidate_id);
                    CREATE TABLE notifications (
                        id TEXT PRIMARY KEY, candidate_id TEXT NOT NULL, offer_id TEXT, month TEXT NOT NULL);
                    CREATE INDEX notifications_candidate ON notifications (candidate_id);
                    CREATE INDEX notifications_offer ON notifications (offer_id);
                    CREATE TABLE replies (
                        id TEXT PRIMARY KEY, candidate_id TEXT NOT NULL, offer_id TEXT, intent TEXT NOT NULL,
                        month TEXT NOT NULL);
                    CREATE INDEX replies_candidate ON replies (candidate_id);
                    CREATE INDEX replies_offer ON replies (offer_id);
                    -- measure: what is counted; k1, k2: its categories; month: YYYY-MM it falls in.
                    CREATE TABLE cells (
                        measure TEXT NOT NULL, k1 TEXT NOT NULL, k2 TEXT NOT NULL, month TEXT NOT NULL,
                        n INTEGER NOT NULL, PRIMARY KEY (measure, month, k1, k2)) WITHOUT ROWID;
                    """)
        }
        // A table over the whole period sums each measure's cells over every month by category:
        // with the categories before the month, SQLite reads them in group order and adds them up
        // as it goes, instead of sorting every cell of the measure first (`statistics bench`:
        // /stats/destination reads nine measures). Covering: `n` is read from the index.
        migrator.registerMigration("statistics-v2") { db in
            try db.execute(sql: "CREATE INDEX cells_by_category ON cells (measure, k1, k2, month, n)")
        }
        // Whole-period totals beside the months (month `*`): what the public reads, and most
        // requests, costs one row per category instead of one per category and month.
        migrator.registerMigration("statistics-v3-totals") { db in
            try db.execute(
                sql: """
                    INSERT INTO cells (measure, k1, k2, month, n)
                    SELECT measure, k1, k2, '*', SUM(n) FROM cells WHERE month != '*' GROUP BY measure, k1, k2
                    """)
        }
    }

    /// The month of whole-period totals (it sorts before every `YYYY-MM`, so month ranges skip it).
    static let allMonths = "*"

    /// Adds `delta` to cells and to their whole-period totals, deleting those that come back to zero.
    static func add(_ delta: [Cell: Int], _ db: Database) throws {
        var totals: [Cell: Int] = [:]
        for (cell, n) in delta where n != 0 {
            totals[Cell(cell.measure, cell.k1, cell.k2, month: allMonths), default: 0] += n
        }
        try addCells(delta, db)
        try addCells(totals, db)
    }

    private static func addCells(_ delta: [Cell: Int], _ db: Database) throws {
        let upsert = try db.cachedStatement(
            sql: """
                INSERT INTO cells (measure, k1, k2, month, n) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (measure, month, k1, k2) DO UPDATE SET n = n + excluded.n
                """)
        let emptied = try db.cachedStatement(
            sql: "DELETE FROM cells WHERE measure = ? AND month = ? AND k1 = ? AND k2 = ? AND n = 0")
        for (cell, n) in delta where n != 0 {
            let arguments: StatementArguments = [cell.measure.rawValue, cell.k1, cell.k2, cell.month]
            try upsert.execute(arguments: arguments + [n])
            if n < 0 { try emptied.execute(arguments: [cell.measure.rawValue, cell.month, cell.k1, cell.k2]) }
        }
    }

    /// Sums of one measure over months `from...to` (YYYY-MM, inclusive), by its categories.
    static func sums(_ measure: Measure, from: String, to: String, _ db: Database) throws -> [Cell.Key: Int] {
        var sums: [Cell.Key: Int] = [:]
        if from <= "0000-01", to >= "9999-12" {
            // The whole period: its totals, one row per category.
            let rows = try Row.fetchCursor(
                db.cachedStatement(sql: "SELECT k1, k2, n FROM cells WHERE measure = ? AND month = '*'"),
                arguments: [measure.rawValue])
            while let row = try rows.next() { sums[Cell.Key(k1: row["k1"], k2: row["k2"])] = row["n"] }
            return sums
        }
        let rows = try Row.fetchCursor(
            db.cachedStatement(
                sql: """
                    SELECT k1, k2, SUM(n) AS n FROM cells WHERE measure = ? AND month BETWEEN ? AND ?
                    GROUP BY k1, k2
                    """),
            arguments: [measure.rawValue, from, to])
        while let row = try rows.next() { sums[Cell.Key(k1: row["k1"], k2: row["k2"])] = row["n"] }
        return sums
    }

    /// Sums of one measure by month over `from...to`.
    static func monthly(_ measure: Measure, from: String, to: String, _ db: Database) throws -> [String: Int] {
        var sums: [String: Int] = [:]
        let rows = try Row.fetchCursor(
            db.cachedStatement(
                sql: "SELECT month, SUM(n) AS n FROM cells WHERE measure = ? AND month BETWEEN ? AND ? GROUP BY month"),
            arguments: [measure.rawValue, from, to])
        while let row = try rows.next() { sums[row["month"]] = row["n"] }
        return sums
    }

    /// Every cell as stored, for the consistency check.
    static func allCells(_ db: Database) throws -> [Cell: Int] {
        var cells: [Cell: Int] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT measure, k1, k2, month, n FROM cells") {
            guard let measure = Measure(rawValue: row["measure"]) else { continue }
            cells[Cell(measure, row["k1"], row["k2"], month: row["month"])] = row["n"]
        }
        return cells
    }

    /// The months that have any count, oldest first (the dashboard's series).
    static func months(_ db: Database) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT DISTINCT month FROM cells WHERE month GLOB '[0-9]*' ORDER BY month")
    }
}
