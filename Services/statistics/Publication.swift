import Disclosure

/// What the public may see of a table (README, « Méthode / Method »): every count of people
/// under the threshold is shown « < k » (primary suppression), then as many other counts as
/// it takes are shown « s » so that no hidden one can be worked out from the rows, columns
/// and totals shown (secondary suppression, by ``Disclosure``, which knows what each mark
/// tells a reader). Counts of offers and positions are employers' and shown as they are.
/// Candidates by region and by gender are the margins of the region × gender table and are
/// published from it, with its hidden cells, never suppressed apart.
enum Publication {
    static func publish(_ table: StatTable, as dimension: Dimension, view: View) -> StatTable {
        guard case .public(let threshold) = view else { return exact(table, as: dimension) }
        switch dimension {
        case .regionGender, .region, .gender:
            let published = twoWay(table, threshold: threshold)
            return dimension == .regionGender ? published : margin(published, as: dimension)
        default:
            var published = table
            if dimension.peopleOnlyForOfficers {
                let kept = table.columns.indices.filter { !table.columns[$0].people }
                published.columns = kept.map { table.columns[$0] }
                published.rows = table.rows.map { row in
                    StatRow(key: row.key, label: row.label, values: kept.map { row.values[$0] })
                }
                published.total = table.total.map { total in kept.map { total[$0] } }
                return published
            }
            for column in table.columns.indices where table.columns[column].people {
                oneWay(&published, column: column, threshold: threshold)
            }
            return published
        }
    }

    /// Officers: the table as counted; region and gender as the margins of region × gender.
    private static func exact(_ table: StatTable, as dimension: Dimension) -> StatTable {
        switch dimension {
        case .region, .gender: margin(table, as: dimension)
        default: table
        }
    }

    /// One column of people, with or without a total.
    private static func oneWay(_ table: inout StatTable, column: Int, threshold: Int) {
        let counts = table.rows.map { max(0, $0.values[column].number ?? 0) }
        guard !counts.isEmpty else { return }
        guard table.total != nil else {
            // Rows that do not add up (a person in several): each count stands alone.
            for row in table.rows.indices where counts[row] < threshold { table.rows[row].values[column] = .fewer }
            return
        }
        let suppressed = Disclosure.suppress(
            CountTable(rows: table.rows.map(\.key), counts: counts), threshold: threshold)
        for row in table.rows.indices {
            table.rows[row].values[column] = count(suppressed, .inner(row: row, column: 0))
        }
        table.total?[column] = count(suppressed, .grand)
    }

    /// A cell of a suppressed table as published.
    private static func count(_ table: SuppressedTable, _ cell: CountTable.Cell) -> Count {
        switch table.reasons[table.table.canonical(cell)] {
        case nil: .exact(table.table.value(cell))
        case .primary: .fewer
        case .secondary: .masked
        case .withheld: .withheld
        }
    }

    /// Region × gender: inner cells, row totals (its last column), column totals and the grand total.
    private static func twoWay(_ table: StatTable, threshold: Int) -> StatTable {
        let inner = table.columns.count - 1
        guard !table.rows.isEmpty else { return table }
        let suppressed = Disclosure.suppress(
            CountTable(
                rows: table.rows.map(\.key), columns: table.columns.prefix(inner).map(\.key),
                cells: table.rows.map { row in row.values.prefix(inner).map { max(0, $0.number ?? 0) } }),
            threshold: threshold)
        var published = table
        for row in table.rows.indices {
            published.rows[row].values =
                (0..<inner).map { count(suppressed, .inner(row: row, column: $0)) }
                + [count(suppressed, .rowTotal(row))]
        }
        published.total = (0..<inner).map { count(suppressed, .columnTotal($0)) } + [count(suppressed, .grand)]
        return published
    }

    /// `region` (the row totals) or `gender` (the column totals) of region × gender, as published.
    private static func margin(_ table: StatTable, as dimension: Dimension) -> StatTable {
        let last = table.columns.count - 1
        if dimension == .region {
            return StatTable(
                dimension: dimension.rawValue, title: dimension.title, rowTitle: table.rowTitle,
                columns: [Columns.candidates],
                rows: table.rows.map { StatRow(key: $0.key, label: $0.label, values: [$0.values[last]]) },
                total: table.total.map { [$0[last]] })
        }
        return StatTable(
            dimension: dimension.rawValue, title: dimension.title, rowTitle: Words("Sexe", "Gender"),
            columns: [Columns.candidates],
            rows: table.columns.prefix(last).enumerated().map { index, column in
                StatRow(key: column.key, label: column.title, values: [table.total?[index] ?? .exact(0)])
            },
            total: table.total.map { [$0[last]] })
    }
}
