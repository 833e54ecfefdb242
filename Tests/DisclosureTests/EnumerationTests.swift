import Disclosure
import SeededRandom
import Testing

@Suite("The cycle check against every nearby table a reader could believe")
struct EnumerationTests {
    @Test("on random small tables and patterns, the cells it finds determined are those no table within 2 moves")
    func agree() {
        var random = SplitMix64(seed: 43)
        var compared = 0
        var determined = 0
        for counts in randomTables(seed: 17, count: 300, counts: 0...5) where counts.rows.count <= 3 {
            let pattern = randomPattern(counts, threshold: 3, &random)
            guard let byEnumeration = determinedByEnumeration(pattern, within: 2) else { continue }
            #expect(Disclosure.determinedCells(pattern) == byEnumeration, "\(render(pattern))")
            compared += 1
            determined += byEnumeration.count
        }
        #expect(compared > 100 && determined > 50)
    }
}

/// The hidden cells that take the same value in every table a reader could believe whose
/// inner cells are each within `reach` of the real ones: same shown counts, every hidden count
/// within its mark's bounds. Nil when there are more than `limit` such tables to look at. When a cell
/// can be something else, one step of 1 shows it (see `Disclosure.determinedCells`), so any
/// reach of at least 1 gives the same answer as the reader's whole range.
func determinedByEnumeration(
    _ pattern: SuppressedTable, within reach: Int, limit: Int = 20_000
) -> Set<CountTable.Cell>? {
    let counts = pattern.table
    let places = counts.rows.indices.flatMap { row in counts.columns.indices.map { (row, $0) } }
    let choices: [[Int]] = places.map { row, column in
        let value = counts.cells[row][column]
        guard let reason = pattern.reason(.inner(row: row, column: column)) else { return [value] }
        let (lower, upper) = readerBounds(reason, threshold: pattern.threshold)
        return Array(max(lower, value - reach)...min(upper, value + reach))
    }
    guard choices.reduce(1, { $0 * $1.count }) <= limit else { return nil }
    var moved: Set<CountTable.Cell> = []
    var picks = [Int](repeating: 0, count: places.count)
    while true {
        var cells = counts.cells
        for (index, (row, column)) in places.enumerated() { cells[row][column] = choices[index][picks[index]] }
        let other = CountTable(rows: counts.rows, columns: counts.columns, cells: cells)
        let believable = counts.allCells.allSatisfy { cell in
            guard let reason = pattern.reason(cell) else { return other.value(cell) == counts.value(cell) }
            let (lower, upper) = readerBounds(reason, threshold: pattern.threshold)
            return (lower...upper).contains(other.value(cell))
        }
        if believable { moved.formUnion(pattern.hidden.filter { other.value($0) != counts.value($0) }) }
        // The next combination, as an odometer.
        guard let wheel = picks.indices.first(where: { picks[$0] + 1 < choices[$0].count }) else { break }
        picks[wheel] += 1
        for earlier in 0..<wheel { picks[earlier] = 0 }
    }
    return pattern.hidden.subtracting(moved)
}

/// What a reader makes of each mark, written out here rather than taken from the library.
private func readerBounds(_ reason: SuppressedTable.Reason, threshold k: Int) -> (Int, Int) {
    switch reason {
    case .primary: (0, k - 1)
    case .secondary: (k, .max)
    case .withheld: (0, .max)
    }
}
