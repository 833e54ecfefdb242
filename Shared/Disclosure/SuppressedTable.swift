/// A count table as it may be published: the counts, and the cells hidden, each with its mark.
public struct SuppressedTable: Sendable, Equatable {
    public typealias Cell = CountTable.Cell

    /// Why a cell is hidden, which is also what its mark tells a reader (`bounds(threshold:)`).
    public enum Reason: Sendable, Hashable {
        /// The cell counts fewer than `threshold` people: shown « < k ».
        case primary
        /// The cell counts `threshold` people or more, but showing it would let a reader work
        /// out a hidden cell: shown « s » (secret statistique, INSEE's mark).
        case secondary
        /// The whole table is withheld: no pattern of « < k » and « s » would keep every
        /// hidden count from being worked out (`Disclosure.suppress(_:threshold:)`). Every
        /// cell is shown « nd » (non diffusé), small or not, and tells the reader nothing.
        case withheld

        /// The reason a cell counting `count` people would be hidden for in a table that is
        /// published: primary under `k`, secondary otherwise.
        public init(count: Int, threshold k: Int) {
            self = count < k ? .primary : .secondary
        }

        /// The text published instead of the count: « < k », « s » or « nd ».
        public func mark(threshold k: Int) -> String {
            switch self {
            case .primary: "< \(k)"
            case .secondary: "s"
            case .withheld: "nd"
            }
        }

        /// What the mark tells a reader of the count: 0 to k − 1 for « < k »; k or more (no
        /// upper bound, nil) for « s », since a cell under k would have been marked « < k »;
        /// only that it is not negative for « nd ».
        public func bounds(threshold k: Int) -> (lower: Int, upper: Int?) {
            switch self {
            case .primary: (0, k - 1)
            case .secondary: (k, nil)
            case .withheld: (0, nil)
            }
        }
    }

    /// All the counts, hidden ones included: never publish them, publish `display(_:)`.
    public let table: CountTable
    /// The k of « < k »: a cell is shown only when it counts at least that many people.
    public let threshold: Int
    /// Each hidden cell (as `CountTable.canonical(_:)` names it) and why it is hidden.
    public internal(set) var reasons: [Cell: Reason]

    /// A table with a given pattern: what `Disclosure` returns, or a pattern to check with
    /// `Disclosure.determinedCells(_:)`. Each mark must be true of its count (primary exactly
    /// when under `threshold`), and a table is withheld whole or not at all.
    public init(table: CountTable, threshold: Int, reasons: [Cell: Reason]) {
        let cells = Set(table.allCells)
        precondition(reasons.keys.allSatisfy(cells.contains), "hidden cells are cells the table publishes")
        let withheld = reasons.values.contains(.withheld)
        precondition(
            withheld
                ? reasons.count == cells.count && reasons.values.allSatisfy { $0 == .withheld }
                : reasons.allSatisfy { $1 == Reason(count: table.value($0), threshold: threshold) },
            "primary exactly for the hidden counts under the threshold; withheld, every cell")
        self.table = table
        self.threshold = threshold
        self.reasons = reasons
    }

    /// The hidden cells.
    public var hidden: Set<Cell> { Set(reasons.keys) }

    /// Why `cell` is hidden, nil when it is shown; a list's totals are looked up as the cells they are.
    public func reason(_ cell: Cell) -> Reason? { reasons[table.canonical(cell)] }

    /// Whether `cell` is hidden.
    public func isHidden(_ cell: Cell) -> Bool { reason(cell) != nil }

    /// The count to publish at `cell`, or nil when it is hidden.
    public func value(_ cell: Cell) -> Int? { isHidden(cell) ? nil : table.value(cell) }

    /// True when nothing of the table may be published (`Reason.withheld`).
    public var isWithheld: Bool { reasons[.grand] == .withheld }

    /// The mark to publish at `cell` instead of its count: « < k » (primary), « s »
    /// (secondary), « nd » (withheld), or nil when the count is shown.
    public func mark(_ cell: Cell) -> String? { reason(cell)?.mark(threshold: threshold) }

    /// The text to publish at `cell`: its count or its mark.
    public func display(_ cell: Cell) -> String { mark(cell) ?? String(table.value(cell)) }
}
