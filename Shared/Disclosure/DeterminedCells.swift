extension Disclosure {
    /// The hidden cells a reader can work out exactly from what is published: the guarantee
    /// of `suppress(_:threshold:)` is that there are none.
    ///
    /// A reader knows each shown count, that the cells of each line add up to its total, and
    /// what each mark says (`SuppressedTable.Reason.bounds(threshold:)`): « < k » a count
    /// from 0 to k − 1, « s » a count of k or more, « nd » (a table withheld) a count not
    /// negative. A hidden cell is worked out when no other table of whole counts, with the
    /// same shown counts and every hidden count within its bounds, differs on it. The row 4,
    /// 4, 10 of total 18 hiding both 4s gives them away: they add up to 8, neither over 4.
    ///
    /// Such another table differs from the real one by a circulation on the hidden cells'
    /// arcs (`CountTable.arc(_:)`), which splits into cycles each changing its cells the way
    /// the circulation does. Taking one of them once (+1 on the cells it goes through forwards,
    /// −1 on those it goes through backwards) keeps every count within bounds: the real count
    /// and its bounds are whole numbers, and the other table's count lies beyond the step. So
    /// a hidden cell is safe exactly when a cycle of such unit steps (`steps(_:shown:)`) goes
    /// through it. Exact, with no linear programming and no floating point; that the other
    /// table's counts need not be whole for this argument is total unimodularity at work (the
    /// equations are a network's): allowing fractions would tell a reader nothing more.
    /// It does not measure how narrow a range a reader can put on a hidden cell (« 3 or 4 »).
    public static func determinedCells(_ table: SuppressedTable) -> Set<CountTable.Cell> {
        let hiddenSteps = steps(table, shown: false)
        return table.hidden.filter { cheapestCycle(through: $0, of: table.table, hiddenSteps) == nil }
    }

    /// The hidden cells that the equations alone fix (each row's cells add up to its total,
    /// and so on), counts allowed to be negative: a cell whose unit vector lies in the row
    /// space of the equations restricted to the hidden cells. Kept to compare: always within
    /// `determinedCells`, the same set when no hidden count is at a bound of its mark (0 or
    /// k − 1 under « < k », k under « s »); the tests check the one against the other.
    public static func linearlyDeterminedCells(_ table: SuppressedTable) -> Set<CountTable.Cell> {
        let counts = table.table
        let unknowns = counts.allCells.filter(table.isHidden)
        // One equation per line (node): the cells in minus the cells out; the shown cells'
        // part is a number a reader knows, which does not matter to which cells are fixed.
        var equations = [[Int]](repeating: [Int](repeating: 0, count: unknowns.count), count: counts.nodeCount)
        for (index, cell) in unknowns.enumerated() {
            let (from, to) = counts.arc(cell)
            equations[from][index] -= 1
            equations[to][index] += 1
        }
        var determined: Set<CountTable.Cell> = []
        for equation in reducedRowEchelon(equations, unknowns: unknowns.count) {
            let nonZero = equation.indices.filter { equation[$0] != 0 }
            if nonZero.count == 1 { determined.insert(unknowns[nonZero[0]]) }
        }
        return determined
    }

    /// Gauss–Jordan elimination in integers, without fractions: to clear a column, a row
    /// becomes pivot × row − entry × pivot row. Each pivot column then has one non-zero entry,
    /// so a unit vector is in the row space exactly when a row has a single non-zero entry.
    /// Nothing grows: the equations are a directed graph's incidence matrix, which is totally
    /// unimodular, so every pivot is ±1 and every entry stays in {−1, 0, 1}.
    private static func reducedRowEchelon(_ rows: [[Int]], unknowns: Int) -> [[Int]] {
        var rows = rows
        var next = 0
        for column in 0..<unknowns {
            guard let found = rows.indices.dropFirst(next).first(where: { rows[$0][column] != 0 }) else { continue }
            rows.swapAt(next, found)
            let pivot = rows[next]
            for index in rows.indices where index != next && rows[index][column] != 0 {
                let entry = rows[index][column]
                rows[index] = zip(rows[index], pivot).map { pivot[column] * $0 - entry * $1 }
            }
            next += 1
        }
        return Array(rows.prefix(next))
    }
}
