import Disclosure
import Testing

@Suite("Secondary suppression: no hidden cell can be worked out")
struct SecondaryTests {
    @Test("a list hiding one cell would give it away as total minus the others: the smallest other is hidden")
    func list() {
        let byRegion = CountTable(rows: ["North", "South", "East", "West"], counts: [12, 3, 8, 20])
        let primary = Disclosure.primary(byRegion)
        #expect(render(primary) == "  12  [3]    8   20 |   43")
        // 43 − 12 − 8 − 20 = 3.
        #expect(Disclosure.determinedCells(primary) == [.inner(row: 1, column: 0)])
        #expect(Disclosure.linearlyDeterminedCells(primary) == [.inner(row: 1, column: 0)])

        let published = Disclosure.suppress(byRegion)
        #expect(render(published) == "  12  [3]  (8)   20 |   43")
        #expect(published.reasons == [.inner(row: 1, column: 0): .primary, .inner(row: 2, column: 0): .secondary])
        #expect(Disclosure.determinedCells(published).isEmpty)
    }

    @Test("one small cell in a two-way table: the cheapest rectangle through it is hidden")
    func rectangle() {
        let counts = CountTable(
            rows: ["North", "South", "East"], columns: ["F", "M"], cells: [[12, 15], [3, 14], [9, 11]])
        #expect(Disclosure.determinedCells(Disclosure.primary(counts)) == [.inner(row: 1, column: 0)])
        let published = Disclosure.suppress(counts)
        // With East (9 + 11 + 14 people hidden) rather than North (12 + 15 + 14).
        #expect(
            render(published) == """
                  12   15 |   27
                 [3] (14) |   17
                 (9) (11) |   20
                  24   40 |   64
                """)
        #expect(Disclosure.determinedCells(published).isEmpty)
        #expect(Disclosure.linearlyDeterminedCells(published).isEmpty)
    }

    @Test(
        "a margin under k: its line is protected like any other",
        arguments: [
            Case(
                "a small category: its column total is hidden, and so is another column's",
                [[20, 15, 1], [18, 12, 2]],
                """
                  20 (15)  [1] |   36
                  18 (12)  [2] |   32
                  38 (27)  [3] |   68
                """
            ),
            Case(
                "a small region: its row total is hidden, and so is another row's",
                [[10, 9], [2, 1], [8, 12]],
                """
                (10)  (9) | (19)
                 [2]  [1] |  [3]
                   8   12 |   20
                  20   22 |   42
                """
            ),
        ])
    func smallMargin(_ row: Case) {
        let primary = Disclosure.primary(table(row.cells))
        #expect(primary.reasons.values.contains(.primary))
        #expect(!Disclosure.determinedCells(primary).isEmpty)
        let published = Disclosure.suppress(table(row.cells))
        #expect(render(published) == row.expected)
        #expect(Disclosure.determinedCells(published).isEmpty)
    }

    @Test("counts are never negative: hidden cells that must add up to 0 are all 0")
    func zeros() {
        // Two empty regions: the rows shown add up to 30 + 36 = 66, the grand total, so the
        // hidden rows add up to 0, and so each hidden cell of theirs is 0. The equations alone
        // fix none of them: a row could be 5 and −5, were counts allowed to be negative.
        let counts = table([[11, 19], [0, 0], [0, 0], [18, 18]])
        let primary = Disclosure.primary(counts)
        #expect(Disclosure.linearlyDeterminedCells(primary).isEmpty)
        #expect(Disclosure.determinedCells(primary) == primary.hidden)
        let published = Disclosure.suppress(counts)
        // Now a reader cannot tell them from a table with 1 in the second row and 10 in the
        // first (the first row's total 29, the second's 1).
        #expect(
            render(published) == """
                (11) (19) | (30)
                 [0]  [0] |  [0]
                 [0]  [0] |  [0]
                  18   18 |   36
                  29   37 |   66
                """)
        #expect(Disclosure.determinedCells(published).isEmpty)
    }

    @Test("the same counts always give the same pattern")
    func deterministic() {
        let counts = table([[0, 0, 10], [7, 8, 9], [6, 12, 11]])
        let first = Disclosure.suppress(counts)
        #expect(
            render(first) == """
                 [0]  [0] (10) |   10
                 (7)  (8)  (9) |   24
                   6   12   11 |   29
                  13   20   30 |   63
                """)
        #expect(Disclosure.suppress(counts) == first)
    }
}
