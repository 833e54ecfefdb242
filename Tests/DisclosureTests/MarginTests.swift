import Disclosure
import Testing

@Suite("A table that repeats another one's margin shows that margin's pattern")
struct MarginTests {
    /// Region × gender, with a region under k.
    let twoWay = Disclosure.suppress(
        CountTable(rows: ["North", "South", "East"], columns: ["F", "M"], cells: [[10, 9], [2, 1], [8, 12]]))

    @Test("the list by region hides the row totals the two-way table hides, for the same reasons")
    func byRegion() {
        let byRegion = Disclosure.margin(of: twoWay, .rows)
        #expect(byRegion.table == CountTable(rows: ["North", "South", "East"], counts: [19, 3, 20]))
        #expect(render(byRegion) == "(19)  [3]   20 |   42")
        #expect(byRegion.reasons == [.inner(row: 0, column: 0): .secondary, .inner(row: 1, column: 0): .primary])
        for row in twoWay.table.rows.indices {
            #expect(byRegion.reason(.inner(row: row, column: 0)) == twoWay.reason(.rowTotal(row)))
            #expect(byRegion.display(.inner(row: row, column: 0)) == twoWay.display(.rowTotal(row)))
        }
        #expect(
            ["s", "< 5", "20", "42"] == [0, 1, 2].map { byRegion.display(.rowTotal($0)) } + [byRegion.display(.grand)])
        #expect(byRegion.reason(.grand) == twoWay.reason(.grand))
        #expect(Disclosure.determinedCells(byRegion).isEmpty)
    }

    @Test("the list by gender: nothing hidden, as in the two-way table's column totals")
    func byGender() {
        let byGender = Disclosure.margin(of: twoWay, .columns)
        #expect(byGender.table.rows == ["F", "M"])
        #expect(render(byGender) == "  20   22 |   42")
        #expect(byGender.display(.inner(row: 1, column: 0)) == twoWay.display(.columnTotal(1)))
    }

    @Test("suppressed on its own, the list could show a total the two-way table hides, and give a cell away")
    func notOnItsOwn() {
        let counts = table([[18, 2, 2], [12, 2, 30]])
        let twoWay = Disclosure.suppress(counts)
        #expect(
            render(twoWay) == """
                  18  [2]  [2] |   22
                  12  [2] (30) |   44
                  30  [4] (32) |   66
                """)
        let byColumn = Disclosure.margin(of: twoWay, .columns)
        #expect(render(byColumn) == "  30  [4] (32) |   66")

        // On its own the list would hide its smallest other cell, 30, and show 32…
        let onItsOwn = Disclosure.suppress(byColumn.table)
        #expect(render(onItsOwn) == "(30)  [4]   32 |   66")
        // …which the two-way table hides: with both published, 66 − 30 − 32 = 4.
        var reasons = twoWay.reasons
        reasons[.columnTotal(2)] = nil
        let both = SuppressedTable(table: counts, threshold: 5, reasons: reasons)
        #expect(Disclosure.determinedCells(both).contains(.columnTotal(1)))
    }

    @Test("the margin of a list is the list")
    func ofAList() {
        let list = Disclosure.suppress(CountTable(rows: ["North", "South", "East"], counts: [12, 3, 8]))
        let margin = Disclosure.margin(of: list, .rows)
        #expect(margin.table == list.table && margin.reasons == list.reasons)
        #expect(render(Disclosure.margin(of: list, .columns)) == "  23 |   23")
    }
}
