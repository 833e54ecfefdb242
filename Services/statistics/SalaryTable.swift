import GRDB

/// Median salaries by trade (sub-major group) and destination, in each offer's currency,
/// per month: an hourly wage counts 173.33 hours a month (40 hours × 52 weeks ÷ 12), a
/// yearly one a twelfth. From the offers that were open in the period; employers' figures,
/// not people's, so the public sees them as they are.
struct SalaryTable {
    let db: Database
    let period: Period

    static let hoursPerMonth = 40.0 * 52 / 12

    static func monthly(_ amount: Double, period: String) -> Double {
        switch period {
        case "hour": amount * hoursPerMonth
        case "year": amount / 12
        default: amount
        }
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    func build() throws -> StatTable {
        var groups: [String: [Double]] = [:]
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT occupation, country, salary_amount, salary_currency, salary_period FROM offers
                WHERE was_open = 1 AND month BETWEEN ? AND ?
                """,
            arguments: [period.from, period.to])
        while let row = try rows.next() {
            let key =
                "\(String((row["occupation"] as String).prefix(2))) \(row["country"] as String) \(row["salary_currency"] as String)"
            groups[key, default: []].append(Self.monthly(row["salary_amount"], period: row["salary_period"]))
        }
        let keys = groups.keys.sorted()
        return StatTable(
            dimension: Dimension.salary.rawValue, title: Dimension.salary.title,
            rowTitle: Words("Métier — destination (monnaie)", "Trade — destination (currency)"),
            columns: [Columns.offers, Columns.salary],
            rows: keys.map { key in
                let parts = key.split(separator: " ").map(String.init)
                let trade = Labels.trade(parts[0])
                let country = Labels.country(parts[1])
                let values = groups[key] ?? []
                return StatRow(
                    key: key,
                    label: Words(
                        "\(trade.fr) — \(country.fr) (\(parts[2]))", "\(trade.en) — \(country.en) (\(parts[2]))"),
                    values: [.exact(values.count), .exact(Int(Self.median(values).rounded()))])
            },
            total: nil,
            notes: [
                Words(
                    "Salaire mensuel : horaire × 173,33 ; annuel ÷ 12. Dans la monnaie de l’offre, arrondi à l’unité.",
                    "Monthly salary: hourly × 173.33; yearly ÷ 12. In the offer's currency, rounded to the unit.")
            ])
    }
}
