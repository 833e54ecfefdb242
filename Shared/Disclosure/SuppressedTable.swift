/// A count table as it may be published: the counts, and the cells shown as « < k ».
public struct SuppressedTable: Sendable, Equatable {
    public typealias Cell = CountTable.Cell

    /// Why a cell is hidden, for the methodology note and for debugging a pattern.
    public enum Reason: Sendable, Hashable {
        /// The cell counts fewer than `threshold` people.
        case primary
        /// The cell is not small, but showing it would let a reader work out a hidden cell.
        case secondary
    }

    /// All the counts, hidden ones included: never publish them, publish `value(_:)`.
    public let table: CountTable
    /// The k of « < k »: a cell is shown only when it counts at least that many people.
    public let threshold: Int
    /// Each hidden cell (as `CountTable.canonical(_:)` names it) and why it is hidden.
    public internal(set) var reasons: [Cell: Reason]

    /// A table with a given pattern: what `Disclosure` returns, or a pattern to check with
    /// `Disclosure.determinedCells(_:)`.
    public init(table: CountTable, threshold: Int, reasons: [Cell: Reason]) {
        let cells = Set(table.allCells)
        precondition(reasons.keys.allSatisfy(cells.contains), "hidden cells are cells the table publishes")
        self.table = table
        self.threshold = threshold
        self.reasons = reasons
    }

    /// The hidden cells.
    public var hidden: Set<Cell> { Set(reasons.keys) }

    /// Whether `cell` is hidden; a list's totals are looked up as the cells they are.
    public func isHidden(_ cell: Cell) -> Bool { reasons[table.canonical(cell)] != nil }

    /// The count to publish at `cell`, or nil when it is hidden.
    public func value(_ cell: Cell) -> Int? { isHidden(cell) ? nil : table.value(cell) }

    /// The text to publish at `cell`: the count, or « < k ».
    public func display(_ cell: Cell) -> String { Disclosure.display(value(cell), threshold: threshold) }
}
