extension Disclosure {
    /// One way along a cell's arc (`CountTable.arc(_:)`): forwards adds 1 to the cell,
    /// backwards takes 1 from it, which a count of 0 cannot take.
    struct Step {
        let cell: CountTable.Cell
        let from: Int
        let to: Int
        /// 0 for a hidden cell; for a shown one, what hiding it costs: its count.
        let cost: Int
    }

    /// The steps out of each node: along the hidden cells, and along the shown ones too when
    /// `shown` (to find which cells to hide).
    static func steps(_ table: SuppressedTable, shown: Bool) -> [[Step]] {
        let counts = table.table
        var out = [[Step]](repeating: [], count: counts.nodeCount)
        for cell in counts.allCells {
            let hidden = table.isHidden(cell)
            guard hidden || shown else { continue }
            let (from, to) = counts.arc(cell)
            let cost = hidden ? 0 : counts.value(cell)
            out[from].append(Step(cell: cell, from: from, to: to, cost: cost))
            if counts.value(cell) > 0 { out[to].append(Step(cell: cell, from: to, to: from, cost: cost)) }
        }
        return out
    }

    /// The cheapest cycle of `steps` through `cell`, as its other cells and their cost: a way
    /// to change `cell` (by 1 up or down) and other cells so that every line keeps its sum.
    /// Nil when there is none. Ties go the same way every time (nodes and cells in order).
    static func cheapestCycle(
        through cell: CountTable.Cell, of table: CountTable, _ steps: [[Step]]
    ) -> (cost: Int, cells: [CountTable.Cell])? {
        let (from, to) = table.arc(cell)
        let up = cheapestPath(steps, from: to, to: from, avoiding: cell)
        let down = table.value(cell) > 0 ? cheapestPath(steps, from: from, to: to, avoiding: cell) : nil
        guard let up, let down else { return up ?? down }
        return down.cost < up.cost ? down : up
    }

    /// Dijkstra's cheapest path from `start` to `end`, not along `excluded`.
    private static func cheapestPath(
        _ steps: [[Step]], from start: Int, to end: Int, avoiding excluded: CountTable.Cell
    ) -> (cost: Int, cells: [CountTable.Cell])? {
        var cost = [Int?](repeating: nil, count: steps.count)
        var arrival = [Step?](repeating: nil, count: steps.count)
        var settled = [Bool](repeating: false, count: steps.count)
        cost[start] = 0
        // The nearest unsettled node, the first of equals; a few dozen nodes need no heap.
        while let node = steps.indices.filter({ !settled[$0] && cost[$0] != nil }).min(by: { cost[$0]! < cost[$1]! }) {
            if node == end { break }
            settled[node] = true
            for step in steps[node] where step.cell != excluded && !settled[step.to] {
                let through = cost[node]! + step.cost
                if cost[step.to].map({ through < $0 }) ?? true {
                    cost[step.to] = through
                    arrival[step.to] = step
                }
            }
        }
        guard let total = cost[end] else { return nil }
        var cells: [CountTable.Cell] = []
        var node = end
        while node != start, let step = arrival[node] {
            cells.append(step.cell)
            node = step.from
        }
        return (total, cells.reversed())
    }
}
