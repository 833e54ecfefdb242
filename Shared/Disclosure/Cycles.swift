extension Disclosure {
    /// One way along a cell's arc (`CountTable.arc(_:)`): forwards adds 1 to the cell,
    /// backwards takes 1 from it. A step is there only when the count stays within what the
    /// reader knows of it (`SuppressedTable.Reason.bounds(threshold:)`).
    struct Step {
        let cell: CountTable.Cell
        let from: Int
        let to: Int
        /// 0 for a hidden cell; for a shown one, what hiding it costs: its count.
        let cost: Int
    }

    /// The steps out of each node: along the hidden cells, and along the shown ones too when
    /// `shown` (to find which cells to hide), each as the mark it would get once hidden.
    static func steps(_ table: SuppressedTable, shown: Bool) -> [[Step]] {
        let counts = table.table
        var out = [[Step]](repeating: [], count: counts.nodeCount)
        for cell in counts.allCells {
            let value = counts.value(cell)
            let hidden = table.reasons[cell]
            guard let reason = hidden ?? (shown ? .init(count: value, threshold: table.threshold) : nil) else {
                continue
            }
            let (from, to) = counts.arc(cell)
            let cost = hidden == nil ? value : 0
            let (lower, upper) = reason.bounds(threshold: table.threshold)
            if upper.map({ value < $0 }) ?? true { out[from].append(Step(cell: cell, from: from, to: to, cost: cost)) }
            if value > lower { out[to].append(Step(cell: cell, from: to, to: from, cost: cost)) }
        }
        return out
    }

    /// The cheapest cycle of `steps` through `cell`, as its other cells and their cost: a way
    /// to change `cell` by 1, up or down as its own steps allow, and other cells by 1 so that
    /// every line keeps its sum and every count stays within its bounds. Nil when there is
    /// none. Ties go the same way every time (nodes and cells in order).
    static func cheapestCycle(
        through cell: CountTable.Cell, of table: CountTable, _ steps: [[Step]]
    ) -> (cost: Int, cells: [CountTable.Cell])? {
        let (from, to) = table.arc(cell)
        let canGoUp = steps[from].contains { $0.cell == cell }
        let canGoDown = steps[to].contains { $0.cell == cell }
        let up = canGoUp ? cheapestPath(steps, from: to, to: from, avoiding: cell) : nil
        let down = canGoDown ? cheapestPath(steps, from: from, to: to, avoiding: cell) : nil
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
        while let node = nearest(cost, settled) {
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

    /// The unsettled node of least known cost, the first of equals.
    private static func nearest(_ cost: [Int?], _ settled: [Bool]) -> Int? {
        var best: Int?
        for node in cost.indices where !settled[node] {
            guard let here = cost[node] else { continue }
            if best.map({ here < cost[$0]! }) ?? true { best = node }
        }
        return best
    }
}
