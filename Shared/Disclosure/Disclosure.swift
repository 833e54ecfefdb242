/// Statistical disclosure control for published count tables.
///
/// The rule: a cell counting fewer than k people is shown as « < k » (primary suppression),
/// and more cells are hidden (secondary suppression) until no hidden cell can be worked out
/// from the shown cells and the totals (`determinedCells(_:)`). A table that repeats another
/// one's margin is published with `margin(of:_:)`, never suppressed on its own.
public enum Disclosure {
    /// The default k: a cell is shown only when it counts at least 5 people.
    public static let defaultThreshold = 5

    /// The table with every cell under `k` hidden (inner cells and totals, 0 included), and
    /// nothing else: `suppress(_:threshold:)`'s first step, shown for the methodology.
    public static func primary(_ table: CountTable, threshold k: Int = defaultThreshold) -> SuppressedTable {
        precondition(k >= 1, "a threshold of at least 1")
        let small = table.allCells.filter { table.value($0) < k }
        return SuppressedTable(
            table: table, threshold: k, reasons: Dictionary(uniqueKeysWithValues: small.map { ($0, .primary) }))
    }

    /// The table as it may be published: primary suppression, then secondary suppression,
    /// after which `determinedCells` is empty. Deterministic: the same counts and k always
    /// give the same pattern.
    ///
    /// Secondary suppression takes the hidden cells in position order (`CountTable.allCells`);
    /// for each one a reader could still work out, it hides the shown cells of the cheapest
    /// cycle through it (see `determinedCells`), cheapest meaning fewest people hidden: in a
    /// list, the smallest other cell; in a two-way table, often the three other corners of a
    /// rectangle. Hiding more cells only adds cycles, so a cell once safe stays safe and one
    /// pass is enough. (A shortest-path heuristic, as in the literature on cell suppression in
    /// two-way tables: it hides enough cells, not always the fewest.)
    public static func suppress(_ table: CountTable, threshold k: Int = defaultThreshold) -> SuppressedTable {
        var result = primary(table, threshold: k)
        for cell in table.allCells
        where result.isHidden(cell) && cheapestCycle(through: cell, of: table, steps(result, shown: false)) == nil {
            // Every cell can go up by 1 with its row total, the grand total and its column
            // total (or, for a total, the cells and totals it adds up with), so with every
            // shown cell allowed there is always a cycle.
            let cycle = cheapestCycle(through: cell, of: table, steps(result, shown: true))!
            for other in cycle.cells where !result.isHidden(other) {
                result.reasons[other] = .secondary
            }
        }
        return result
    }

    /// The list of `table`'s row totals (`.rows`) or column totals (`.columns`) and its grand
    /// total, hiding exactly what `table` hides of them, for the same reasons.
    ///
    /// Rule: when a table repeats another one's margin (« by region » is the row margin of
    /// « region × gender »), publish it with this, never with `suppress` on its own counts. A
    /// pattern of its own could show a total the two-way table hides, and the two tables
    /// together would give that hidden cell away. The list reveals nothing the two-way table
    /// does not, so no cell of it is determined when none of `table` is.
    public static func margin(of table: SuppressedTable, _ axis: CountTable.Axis) -> SuppressedTable {
        let counts = table.table
        let keys = axis == .rows ? counts.rows : counts.columns
        let totals = axis == .rows ? counts.rowTotals : counts.columnTotals
        let list = CountTable(rows: keys, counts: totals)
        var reasons: [CountTable.Cell: SuppressedTable.Reason] = [:]
        for index in keys.indices {
            let total: CountTable.Cell = axis == .rows ? .rowTotal(index) : .columnTotal(index)
            reasons[list.canonical(.rowTotal(index))] = table.reasons[counts.canonical(total)]
        }
        reasons[.grand] = table.reasons[.grand]
        return SuppressedTable(table: list, threshold: table.threshold, reasons: reasons)
    }

    /// The text of a published count: the number, or « < k » when it is hidden (nil).
    ///
    /// Every hidden cell reads the same, primary or secondary, so the methodology note must say
    /// that « < k » also marks cells hidden to protect another. A mark of their own would tell
    /// readers that those cells count k or more, which can give a cell away: a list 12, 4, 5,
    /// 20 of total 41 hides 4 and 5; knowing the 4 is under 5 and the 5 is not, 4 + 5 = 9 leaves
    /// only 4 and 5.
    public static func display(_ value: Int?, threshold: Int) -> String {
        value.map(String.init) ?? "< \(threshold)"
    }
}
