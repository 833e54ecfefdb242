import Disclosure
import Testing

/// Region × gender, with a 0, a 3 and a 4 in it.
let regionsByGender = [[12, 4], [3, 14], [0, 9]]

@Suite("Primary suppression: every cell under k, and nothing else")
struct PrimaryTests {
    @Test(
        "the cells under k are hidden, 0 included; a smaller k hides fewer",
        arguments: [
            Case(
                "k = 5", regionsByGender, threshold: 5,
                """
                  12  [4] |   16
                 [3]   14 |   17
                 [0]    9 |    9
                  15   27 |   42
                """
            ),
            Case(
                "k = 3", regionsByGender, threshold: 3,
                """
                  12    4 |   16
                   3   14 |   17
                 [0]    9 |    9
                  15   27 |   42
                """
            ),
        ])
    func underK(_ row: Case) {
        let primary = Disclosure.primary(table(row.cells), threshold: row.threshold)
        #expect(render(primary) == row.expected)
        #expect(primary.reasons.values.allSatisfy { $0 == .primary })
    }

    @Test("a total under k is hidden too")
    func totals() {
        let primary = Disclosure.primary(table([[20, 1], [18, 2]]))
        #expect(primary.hidden == [.inner(row: 0, column: 1), .inner(row: 1, column: 1), .columnTotal(1)])
    }

    @Test("a table with every cell at least k is published whole")
    func nothingSmall() {
        let counts = table([[12, 15, 30], [9, 11, 5]])
        let published = Disclosure.suppress(counts)
        #expect(published.hidden.isEmpty)
        #expect(counts.allCells.allSatisfy { published.value($0) == counts.value($0) })
        #expect(published.display(.grand) == "82")
    }

    @Test("a cell under k reads « < k », with the table's k; one shown reads its count")
    func display() {
        let primary = Disclosure.primary(table(regionsByGender), threshold: 3)
        #expect(primary.value(.inner(row: 2, column: 0)) == nil)
        #expect(primary.reason(.inner(row: 2, column: 0)) == .primary)
        #expect(primary.mark(.inner(row: 2, column: 0)) == "< 3")
        #expect(primary.display(.inner(row: 2, column: 0)) == "< 3")
        #expect(primary.mark(.inner(row: 1, column: 0)) == nil)
        #expect(primary.display(.inner(row: 1, column: 0)) == "3")
        #expect(Disclosure.primary(table([[1234]])).display(.grand) == "1234")
    }

    @Test("in a list, the row totals are the cells and the column total is the grand total")
    func listTotals() {
        let list = Disclosure.primary(CountTable(rows: ["North", "South"], counts: [12, 3]))
        #expect(list.table.allCells == [.inner(row: 0, column: 0), .inner(row: 1, column: 0), .grand])
        #expect(list.isHidden(.rowTotal(1)) && list.value(.rowTotal(1)) == nil)
        #expect(list.value(.rowTotal(0)) == 12 && list.value(.columnTotal(0)) == 15)
    }
}
