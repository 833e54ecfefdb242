import Disclosure
import Testing

@Suite("What the marks tell a reader: « < k » is 0 to k − 1, « s » is k or more")
struct BoundsTests {
    @Test("each mark, its text and its bounds")
    func marks() {
        #expect(SuppressedTable.Reason.primary.mark(threshold: 5) == "< 5")
        #expect(SuppressedTable.Reason.secondary.mark(threshold: 5) == "s")
        #expect(SuppressedTable.Reason.withheld.mark(threshold: 5) == "nd")
        #expect(SuppressedTable.Reason.primary.bounds(threshold: 5) == (0, 4))
        #expect(SuppressedTable.Reason.secondary.bounds(threshold: 5) == (5, nil))
        #expect(SuppressedTable.Reason.withheld.bounds(threshold: 5) == (0, nil))
        #expect(SuppressedTable.Reason(count: 4, threshold: 5) == .primary)
        #expect(SuppressedTable.Reason(count: 5, threshold: 5) == .secondary)
    }

    @Test("4, 4, 10 of 18 with both 4s « < 5 »: 8 = 4 + 4 and neither is over 4, so a third cell is hidden")
    func upperBound() {
        let row = CountTable(rows: ["North", "South", "East"], counts: [4, 4, 10])
        let primary = Disclosure.primary(row)
        // Counts allowed to be anything but negative, 3 + 5 would do: not with « < 5 ».
        #expect(Disclosure.linearlyDeterminedCells(primary).isEmpty)
        #expect(Disclosure.determinedCells(primary) == [.inner(row: 0, column: 0), .inner(row: 1, column: 0)])

        let published = Disclosure.suppress(row)
        #expect(render(published) == " [4]  [4] (10) |   18")
        #expect(Disclosure.determinedCells(published).isEmpty)
        #expect(
            ["< 5", "< 5", "s", "18"] == [0, 1, 2].map { published.display(.inner(row: $0, column: 0)) } + [
                published.display(.grand)
            ])
    }

    @Test("a secondary cell is k or more: hiding the 5 next to a 0 gives both away, the 12 does not")
    func secondaryBound() {
        let list = CountTable(rows: ["North", "South", "East", "West"], counts: [12, 0, 5, 20])
        // 0 + 5 = 5, the 0 cannot go down and the 5 « s » cannot either.
        let badly = SuppressedTable(
            table: list, threshold: 5,
            reasons: [.inner(row: 1, column: 0): .primary, .inner(row: 2, column: 0): .secondary])
        #expect(Disclosure.determinedCells(badly) == badly.hidden)

        let published = Disclosure.suppress(list)
        #expect(render(published) == "(12)  [0]    5   20 |   37")
        #expect(Disclosure.determinedCells(published).isEmpty)
    }

    @Test("when no inner cells can move the other way, totals are hidden")
    func totals() {
        // The 5s « s » could only go up, like the 0s: no rectangle moves; the margins do.
        let published = Disclosure.suppress(table([[0, 5], [5, 0]]))
        #expect(
            render(published) == """
                 [0]    5 |  (5)
                   5  [0] |  (5)
                 (5)  (5) | (10)
                """)
        #expect(Disclosure.determinedCells(published).isEmpty)
    }

    @Test(
        "a table that no pattern of « < k » and « s » protects is withheld whole",
        arguments: [
            // k = 4: each 1 is at least 4 − 3 (its column « s ») and the three at most 3 (their row « < 4 »).
            (table([[3, 3, 3], [1, 1, 1]]), 4),
            // k = 2: 1 + 1 = 2, each « < 2 » and their total « s ».
            (CountTable(rows: ["North", "South"], counts: [1, 1]), 2),
        ])
    func withheld(_ counts: CountTable, _ threshold: Int) {
        let everything = counts.allCells.map {
            ($0, SuppressedTable.Reason(count: counts.value($0), threshold: threshold))
        }
        let allHidden = SuppressedTable(
            table: counts, threshold: threshold, reasons: Dictionary(uniqueKeysWithValues: everything))
        #expect(Disclosure.determinedCells(allHidden) == allHidden.hidden)

        let published = Disclosure.suppress(counts, threshold: threshold)
        #expect(published.isWithheld)
        #expect(counts.allCells.allSatisfy { published.display($0) == "nd" && published.value($0) == nil })
        #expect(Disclosure.determinedCells(published).isEmpty)
        #expect(Disclosure.margin(of: published, .rows).isWithheld)
    }
}
