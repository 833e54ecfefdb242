import Disclosure
import Testing

/// A suppressed table as text, to compare with the pattern a test expects: each count,
/// `[n]` when hidden as under the threshold (« < k »), `(n)` when hidden as secondary (« s »),
/// `{n}` when the table is withheld (« nd »). A two-way table
/// has one line per row ending with `| row total`, then the column totals `| grand total`; a
/// list is one line: its cells `| grand total`.
func render(_ table: SuppressedTable) -> String {
    func text(_ cell: CountTable.Cell) -> String {
        let count = table.table.value(cell)
        let shown: String =
            switch table.reasons[table.table.canonical(cell)] {
            case nil: "\(count)"
            case .primary: "[\(count)]"
            case .secondary: "(\(count))"
            case .withheld: "{\(count)}"
            }
        return String(repeating: " ", count: max(0, 4 - shown.count)) + shown
    }
    let counts = table.table
    guard !counts.isList else {
        let cells = counts.rows.indices.flatMap { row in counts.columns.indices.map { (row, $0) } }
        return (cells.map { text(.inner(row: $0, column: $1)) } + ["|", text(.grand)]).joined(separator: " ")
    }
    var lines = counts.rows.indices.map { row in
        (counts.columns.indices.map { text(.inner(row: row, column: $0)) } + ["|", text(.rowTotal(row))])
            .joined(separator: " ")
    }
    lines.append(
        (counts.columns.indices.map { text(.columnTotal($0)) } + ["|", text(.grand)]).joined(separator: " "))
    return lines.joined(separator: "\n")
}

/// A two-way table with keys r0, r1… and c0, c1…, for tests where the keys do not matter.
func table(_ cells: [[Int]]) -> CountTable {
    CountTable(
        rows: cells.indices.map { "r\($0)" }, columns: (cells.first ?? []).indices.map { "c\($0)" }, cells: cells)
}

/// Counts, a k and the pattern expected, named in the test report.
struct Case: Sendable, CustomTestStringConvertible {
    let label: String
    let cells: [[Int]]
    let threshold: Int
    let expected: String

    init(_ label: String, _ cells: [[Int]], threshold: Int = 5, _ expected: String) {
        self.label = label
        self.cells = cells
        self.threshold = threshold
        self.expected = expected
    }

    var testDescription: String { label }
}
