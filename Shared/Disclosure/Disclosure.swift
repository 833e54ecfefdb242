/// Statistical disclosure control for published count tables.
///
/// The rule, and what each mark tells a reader (`SuppressedTable.Reason`):
/// - a count under k is shown « < k » (primary suppression): the reader learns 0 to k − 1;
/// - more counts are shown « s » (secondary suppression, secret statistique) until no hidden
///   count can be worked out (`determinedCells(_:)`): the reader learns k or more, since a
///   count under k would have read « < k »;
/// - every other count is shown as it is.
///
/// The two marks differ so that nothing published is untrue: one mark for both would read
/// « < k » on cells of k or more. Their bounds are part of what a reader knows, and
/// `determinedCells` counts them: the row 4, 4, 10 of total 18 with both 4s « < 5 » gives
/// them away (8 = 4 + 4 and neither is over 4), and so would a list 12, 0, 5, 20 with 0
/// « < 5 » and 5 « s » (0 + 5 = 5 and the 5 is not under 5).
///
/// A table that repeats another one's margin is published with `margin(of:_:)`, never
/// suppressed on its own. A table that no pattern of these marks protects is withheld whole.
public enum Disclosure {
    /// The default k: a cell is shown only when it counts at least 5 people.
    public static let defaultThreshold = 5

    /// The table with every cell under `k` hidden (inner cells and totals, 0 included), and
    /// nothing else: `suppress(_:threshold:)`'s first step, shown for the methodology.
    /// A k of at least 2: « < 1 » would say 0.
    public static func primary(_ table: CountTable, threshold k: Int = defaultThreshold) -> SuppressedTable {
        precondition(k >= 2, "a threshold of at least 2")
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
    /// cycle of unit steps through it (see `determinedCells`), each as « s » and so within
    /// [k, ∞): it can always go up, and down only from over k. Cheapest means fewest people
    /// hidden: in a list, often the smallest other cell that can move the other way; in a
    /// two-way table, often the three other corners of a rectangle, or totals when the inner
    /// cells cannot do. The cycle goes through every cell it hides, so each of them is safe
    /// too, and hiding more cells only adds steps, so a cell once safe stays safe and one pass
    /// is enough. (A shortest-path heuristic, as in the literature on cell suppression in
    /// two-way tables: it hides enough cells, not always the fewest.)
    ///
    /// With every shown cell allowed, the search sees the table with every cell hidden; when
    /// even that leaves a cell without a cycle, no pattern of « < k » and « s » protects it
    /// (hiding fewer cells only tells more), and the table is withheld: every cell
    /// `.withheld`. That happens to small tables with tight totals: with k = 4, the rows
    /// 3, 3, 3 and 1, 1, 1 (columns 4, 4, 4 « s », the second row 3 « < 4 ») are all worked
    /// out, each 1 being at least 4 − 3 and the three of them at most 3; with k = 2, the list
    /// 1, 1 of total 2. A list is never withheld when k ≥ 3: each of its cells can then move
    /// by 1 against the total or against another cell. (Which cells are « s », and whether a
    /// table is withheld, depend on the counts too: `determinedCells` models a reader who
    /// knows what the marks mean, not one who reruns this search.)
    public static func suppress(_ table: CountTable, threshold k: Int = defaultThreshold) -> SuppressedTable {
        var result = primary(table, threshold: k)
        // The steps change only when cells are hidden.
        var hiddenSteps = steps(result, shown: false)
        var allSteps = steps(result, shown: true)
        for cell in table.allCells
        where result.isHidden(cell) && cheapestCycle(through: cell, of: table, hiddenSteps) == nil {
            guard let cycle = cheapestCycle(through: cell, of: table, allSteps) else {
                return withheld(table, threshold: k)
            }
            for other in cycle.cells where !result.isHidden(other) {
                result.reasons[other] = .secondary
            }
            hiddenSteps = steps(result, shown: false)
            allSteps = steps(result, shown: true)
        }
        return result
    }

    /// `table` with every cell hidden as `.withheld`: a reader learns the equations and that
    /// counts are not negative, nothing else, and then every cell can go up by 1 with the
    /// totals it adds up to, so none is determined.
    static func withheld(_ table: CountTable, threshold k: Int) -> SuppressedTable {
        SuppressedTable(
            table: table, threshold: k,
            reasons: Dictionary(uniqueKeysWithValues: table.allCells.map { ($0, .withheld) }))
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
}
