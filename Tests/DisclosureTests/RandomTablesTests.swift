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
    @Test("after suppression nothing is worked out within the marks' bounds, all under k reads « < k », twice the same")
    func guarantee() {
        var secondary = 0
        var enumeratedTables = 0
        for (index, counts) in randomTables(seed: 13, count: 200).enumerated() {
            let threshold = index.isMultiple(of: 2) ? 5 : 3
            let published = Disclosure.suppress(counts, threshold: threshold)
            let text = render(published)
            #expect(Disclosure.determinedCells(published).isEmpty, "\(text)")
            // And, not taking the check's word for it, on the smaller tables: every hidden
            // cell differs in some table a reader could believe.
            if let enumerated = determinedByEnumeration(published, within: 1, limit: 2_000) {
                #expect(enumerated.isEmpty, "\(text)")
                enumeratedTables += 1
            }
            #expect(Disclosure.linearlyDeterminedCells(published).isEmpty, "\(text)")
            // None of these tables is so tight that it has to be withheld.
            #expect(!published.isWithheld, "\(text)")
            for cell in counts.allCells {
                let primary = published.reasons[cell] == .primary
                #expect(primary == (counts.value(cell) < threshold), "\(cell) in\n\(text)")
                #expect(published.display(cell) == published.mark(cell) ?? "\(counts.value(cell))")
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
        #expect(enumeratedTables > 100, "\(enumeratedTables)")
    }

    @Test("the bounded check finds all the linear algebra finds, and more at the marks' bounds")
    func checksAgree() {
        var random = SplitMix64(seed: 31)
        var differed = 0
        // Counts of 0 to 6 with k = 5: zeros, 4s (k − 1) and 5s (k), each at a bound of its mark.
        for counts in randomTables(seed: 7, count: 200, counts: 0...6) {
            let pattern = randomPattern(counts, threshold: 5, &random)
            let bounded = Disclosure.determinedCells(pattern)
            let linear = Disclosure.linearlyDeterminedCells(pattern)
            #expect(linear.isSubset(of: bounded), "\(render(pattern))")
            if linear != bounded { differed += 1 }
        }
        #expect(differed > 0)
    }

    @Test("with no hidden count at a bound of its mark, the bounded check and the linear algebra agree")
    func checksAgreeInside() {
        var random = SplitMix64(seed: 37)
        // k = 50: small counts 1 or 2 (any sum of them is 1 to 48, inside « < 50 »), large ones
        // 51 to 60 (any sum with one of them is over 50, inside « s »).
        for shape in randomTables(seed: 11, count: 200, counts: 0...1) {
            let counts = table(shape.cells.map { $0.map { $0 == 0 ? random.int(in: 1...2) : random.int(in: 51...60) } })
            let pattern = randomPattern(counts, threshold: 50, &random)
            #expect(
                Disclosure.linearlyDeterminedCells(pattern) == Disclosure.determinedCells(pattern), "\(render(pattern))"
            )
        }
    }
}

/// Each cell hidden with a chance of 0.4, with the reason its count gives it.
func randomPattern(_ counts: CountTable, threshold k: Int, _ random: inout SplitMix64) -> SuppressedTable {
    let hidden = counts.allCells.filter { _ in random.chance(0.4) }
    let reasons = hidden.map { ($0, SuppressedTable.Reason(count: counts.value($0), threshold: k)) }
    return SuppressedTable(table: counts, threshold: k, reasons: Dictionary(uniqueKeysWithValues: reasons))
}
