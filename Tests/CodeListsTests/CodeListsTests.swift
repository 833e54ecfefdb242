import Foundation
import Testing

@testable import CodeLists

@Suite("Code lists: the embedded tables are the cited files, and the structures hold")
struct CodeListsTests {
    static let dataDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Shared/CodeLists/Data")

    @Test(
        "each embedded table equals its CSV file in Shared/CodeLists/Data",
        arguments: [
            ("isco08", CodeLists.isco08CSV), ("mali_regions", CodeLists.maliRegionsCSV),
            ("countries", CodeLists.countriesCSV), ("currencies", CodeLists.currenciesCSV),
            ("languages", CodeLists.languagesCSV),
        ])
    func embeddedMatchesFile(name: String, embedded: String) throws {
        let file = try String(
            contentsOf: Self.dataDirectory.appendingPathComponent("\(name).csv"), encoding: .utf8)
        // The literal drops the file's last newline.
        #expect(embedded + "\n" == file, "rerun Shared/CodeLists/generate-tables.sh")
    }

    @Test("ISCO-08 has 10 major, 43 sub-major, 130 minor and 436 unit groups, nested by prefix")
    func iscoStructure() {
        let byLevel = Dictionary(grouping: CodeLists.isco.groups, by: \.level).mapValues(\.count)
        #expect(byLevel == [1: 10, 2: 43, 3: 130, 4: 436])
        for group in CodeLists.isco.groups where group.level > 1 {
            #expect(CodeLists.isco[String(group.code.dropLast())] != nil, "\(group.code) has no parent")
        }
        #expect(CodeLists.isco.isUnitGroup("7126"))
        #expect(!CodeLists.isco.isUnitGroup("712"))
        #expect(!CodeLists.isco.isUnitGroup("9999"))
        #expect(CodeLists.isco.ancestor(of: "7126", level: 2)?.code == "71")
        #expect(CodeLists.isco["0110"]?.titleFR == "Officiers des forces armées")
    }

    @Test("the lists hold the codes Passerelle needs, and refuse look-alikes")
    func membership() {
        #expect(CodeLists.countries.entries.count == 249)
        #expect(CodeLists.countries["FR"]?.nameFR == "France")
        #expect(CodeLists.countries["DE"]?.nameFR == "Allemagne")
        #expect(!CodeLists.countries.contains("fr"))
        #expect(!CodeLists.countries.contains("UK"))
        #expect(CodeLists.currencies.contains("XOF"))
        #expect(CodeLists.currencies.contains("EUR"))
        #expect(!CodeLists.currencies.contains("XAU"))
        #expect(CodeLists.languages.contains("bm"))
        #expect(!CodeLists.languages.contains("fra"))
        #expect(CodeLists.maliRegions.entries.count == 20)
        #expect(CodeLists.maliRegions["ML-BKO"]?.nameFR == "Bamako")
        #expect(CodeLists.maliRegions.contains("ML-KITA"))
        #expect(!CodeLists.maliRegions.contains("ML-11"))
        #expect(CodeLists.iscedLevels.entries.map(\.code) == (0...8).map(String.init))
    }

    @Test(
        "E.164 numbers",
        arguments: [
            ("+22376123456", true), ("+33612345678", true), ("22376123456", false), ("+0223761234", false),
            ("+223 76 12 34 56", false), ("+1234567", true), ("+1234567890123456", false), ("+", false),
        ])
    func e164(number: String, valid: Bool) {
        #expect(E164.isValid(number) == valid)
    }
}
