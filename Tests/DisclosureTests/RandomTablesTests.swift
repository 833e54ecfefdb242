import Disclosure
import SeededRandom
import Testing

/// Small random tables (1–6 rows × 1–4 columns), the same on every run.
func randomTables(seed: UInt64, count: Int, counts: ClosedRange<Int> = 0...20) -> [CountTable] {
    var random = SplitMix64(seed: seed)
    return (0..<count).map { _ in
        let rows = random.int(in: 1...6)
        let columns = random.int(in: 1...4)
        return table((0..<rows).map { _ in (0..<columns).map { _ in random.int(in: counts) } })
    }
}

@Suite("Random tables: the guarantee holds on 200 of them")
struct RandomTablesTests {
    @Test("after suppression, no hidden cell can be worked out, every cell under k is hidden, run twice the same")
    func guarantee() {
        var secondary = 0
        for (index, counts) in randomTables(seed: 13, count: 200).enumerated() {
            let threshold = index.isMultiple(of: 2) ? 5 : 3
            let published = Disclosure.suppress(counts, threshold: threshold)
            let text = render(published)
            #expect(Disclosure.determinedCells(published).isEmpty, "\(text)")
            #expect(Disclosure.linearlyDeterminedCells(published).isEmpty, "\(text)")
            for cell in counts.allCells {
                let primary = published.reasons[cell] == .primary
                #expect(primary == (counts.value(cell) < threshold), "\(cell) in\n\(text)")
            }
            #expect(Disclosure.suppress(counts, threshold: threshold) == published, "\(text)")
            // The lists a service derives from it give nothing away either.
            for axis in [CountTable.Axis.rows, .columns] {
                #expect(Disclosure.determinedCells(Disclosure.margin(of: published, axis)).isEmpty, "\(text)")
            }
            secondary += published.reasons.values.count { $0 == .secondary }
        }
        // The tables exercise secondary suppression, not only primary.
        #expect(secondary > 100)
    }

    @Test("the cycle check and the linear algebra agree on random patterns, but for zeros")
    func checksAgree() {
        var random = SplitMix64(seed: 31)
        var differed = 0
        // Counts of 0, 1 and 2: zeros, and cells next to them that can or cannot go down.
        for counts in randomTables(seed: 7, count: 200, counts: 0...2) {
            let hidden = counts.allCells.filter { _ in random.chance(0.4) }
            let reasons = Dictionary(uniqueKeysWithValues: hidden.map { ($0, SuppressedTable.Reason.primary) })
            let pattern = SuppressedTable(table: counts, threshold: 5, reasons: reasons)
            let byCycles = Disclosure.determinedCells(pattern)
            let linear = Disclosure.linearlyDeterminedCells(pattern)
            #expect(linear.isSubset(of: byCycles), "\(render(pattern))")
            if linear != byCycles { differed += 1 }

            // The same pattern over counts 1 to 3: without zeros, the two checks are the same.
            let noZeros = SuppressedTable(
                table: table(counts.cells.map { $0.map { $0 + 1 } }), threshold: 5, reasons: reasons)
            #expect(
                Disclosure.linearlyDeterminedCells(noZeros) == Disclosure.determinedCells(noZeros), "\(render(noZeros))"
            )
        }
        // Zeros made a difference somewhere: what the signs add is exercised.
        #expect(differed > 0)
    }
}
