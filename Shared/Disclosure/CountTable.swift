/// A table of counts of people, as the statistics service would publish it before suppression:
/// row keys × column keys, with its row totals, column totals and grand total.
///
/// A table with one column (or one row) is a list: its row totals (column totals) are its cells
/// themselves, so it publishes its cells and one total, the grand total, and nothing else.
public struct CountTable: Sendable, Equatable {
    /// One published number: an inner cell, a total, or the grand total.
    public enum Cell: Sendable, Hashable {
        case inner(row: Int, column: Int)
        case rowTotal(Int)
        case columnTotal(Int)
        case grand
    }

    /// Which margin of a table: the row totals (one per row key) or the column totals.
    public enum Axis: Sendable {
        case rows, columns
    }

    public let rows: [String]
    public let columns: [String]
    /// Row-major: `cells[row][column]`, each ≥ 0.
    public let cells: [[Int]]

    /// A table of `rows.count` × `columns.count` counts.
    public init(rows: [String], columns: [String], cells: [[Int]]) {
        precondition(!rows.isEmpty && !columns.isEmpty, "a table has at least one row and one column")
        precondition(cells.count == rows.count, "one line of cells per row key")
        precondition(cells.allSatisfy { $0.count == columns.count }, "one cell per column key in every row")
        precondition(cells.allSatisfy { $0.allSatisfy { $0 >= 0 } }, "counts are never negative")
        self.rows = rows
        self.columns = columns
        self.cells = cells
        // Stored, not computed: the suppression looks totals up once per step of a search.
        rowTotals = cells.map { $0.reduce(0, +) }
        columnTotals = columns.indices.map { column in cells.reduce(0) { $0 + $1[column] } }
        grandTotal = rowTotals.reduce(0, +)
    }

    /// A list: one count per row key, in a single column named `column`.
    public init(rows: [String], column: String = "total", counts: [Int]) {
        self.init(rows: rows, columns: [column], cells: counts.map { [$0] })
    }

    public let rowTotals: [Int]
    public let columnTotals: [Int]
    public let grandTotal: Int

    /// True for a list (one row or one column): it has no totals of its own but the grand total.
    public var isList: Bool { rows.count == 1 || columns.count == 1 }

    /// Every number the table publishes, in position order (which breaks ties, so that the
    /// same counts always give the same pattern): inner cells row by row, row totals, column
    /// totals, the grand total. A list has no row or column totals (see `canonical(_:)`).
    public var allCells: [Cell] {
        var all = rows.indices.flatMap { row in columns.indices.map { Cell.inner(row: row, column: $0) } }
        if !isList {
            all += rows.indices.map(Cell.rowTotal) + columns.indices.map(Cell.columnTotal)
        }
        return all + [.grand]
    }

    /// The count at `cell`, for any cell: a list's totals too.
    public func value(_ cell: Cell) -> Int {
        switch cell {
        case .inner(let row, let column): cells[row][column]
        case .rowTotal(let row): rowTotals[row]
        case .columnTotal(let column): columnTotals[column]
        case .grand: grandTotal
        }
    }

    /// The published cell that `cell` is: in a list, a row total is a cell (one column) or
    /// the grand total (one row), and likewise a column total; otherwise `cell` itself.
    public func canonical(_ cell: Cell) -> Cell {
        guard isList else { return cell }
        switch cell {
        case .rowTotal(let row): return columns.count == 1 ? .inner(row: row, column: 0) : .grand
        case .columnTotal(let column): return rows.count == 1 ? .inner(row: 0, column: column) : .grand
        case .inner, .grand: return cell
        }
    }

    /// What a reader can add up, as a directed graph in which every published cell is an arc
    /// and counts are flows: at every node, the cells coming in add up to the cells going out.
    /// Each node is one line of the table. In a two-way table: row i (its cells in, its total
    /// out), column j (its total in, its cells out), the row margin (row totals in, grand total
    /// out) and the column margin (grand total in, column totals out); so a cell goes from its
    /// column to its row. A list has two nodes: its cells go from the first to the second, its
    /// grand total back.
    var nodeCount: Int { isList ? 2 : rows.count + columns.count + 2 }

    /// Where `cell`'s arc goes from and to (see `nodeCount`); adding 1 to every cell around a
    /// cycle of arcs (or taking 1 from those it goes through backwards) keeps every line's sum.
    func arc(_ cell: Cell) -> (from: Int, to: Int) {
        if isList { return cell == .grand ? (1, 0) : (0, 1) }
        let columnNode = { rows.count + $0 }
        let rowMargin = rows.count + columns.count
        let columnMargin = rowMargin + 1
        switch cell {
        case .inner(let row, let column): return (columnNode(column), row)
        case .rowTotal(let row): return (row, rowMargin)
        case .columnTotal(let column): return (columnMargin, columnNode(column))
        case .grand: return (rowMargin, columnMargin)
        }
    }
}
