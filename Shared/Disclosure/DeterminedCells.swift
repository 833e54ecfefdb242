extension Disclosure {
    /// The hidden cells a reader can work out exactly from the cells shown and the totals: the
    /// guarantee of `suppress(_:threshold:)` is that there are none.
    ///
    /// A hidden cell cannot be worked out when another table, with the same shown cells and
    /// no negative count, differs on it. Such a table differs from the real one by steps of 1
    /// around cycles of hidden cells (`CountTable.arc(_:)`): +1 on the cells a cycle goes
    /// through forwards, −1 on those it goes through backwards, which must not be 0. So a
    /// hidden cell is safe exactly when such a cycle goes through it. This counts what a reader
    /// knows of signs: a row [0, 0, 10] of total 10 hiding its two zeros gives them away, which
    /// `linearlyDeterminedCells(_:)` does not see. It does not measure how narrow a range a
    /// reader can put on a hidden cell (« 3 or 4 »).
    public static func determinedCells(_ table: SuppressedTable) -> Set<CountTable.Cell> {
        let hiddenSteps = steps(table, shown: false)
        return table.hidden.filter { cheapestCycle(through: $0, of: table.table, hiddenSteps) == nil }
    }

    /// The hidden cells that the equations alone fix (each row's cells add up to its total,
    /// and so on), counts allowed to be negative: a cell whose unit vector lies in the row
    /// space of the equations restricted to the hidden cells. Always within `determinedCells`;
    /// the same set when no hidden cell is 0. The tests check the one against the other.
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
