import Messages
import Testing

@testable import Importing
@testable import passerelle

@Suite("CSV cells become JSON values by the column's type")
struct FieldConversionTests {
    @Test("strings stay as written, dates are checked")
    func strings() {
        #expect(FieldType.string.convert(" Huelva ") == .success(.string(" Huelva ")))
        #expect(FieldType.date.convert("2027-03-01") == .success(.string("2027-03-01")))
        #expect(throws: CellProblem.self) { try FieldType.date.convert("2027-02-30").get() }
    }

    @Test("integers are JSON integers; anything else is a problem")
    func integers() throws {
        #expect(FieldType.integer.convert("12") == .success(.int(12)))
        #expect(FieldType.integer.convert(" -3 ") == .success(.int(-3)))
        let problem = try #require(FieldType.integer.convert("abc").failureValue)
        #expect(problem.message.contains("abc"))
        #expect(FieldType.integer.convert("1.5").failureValue != nil)
    }

    @Test("numbers keep integers integral and accept a decimal comma")
    func numbers() {
        #expect(FieldType.number.convert("1500") == .success(.int(1500)))
        #expect(FieldType.number.convert("17.25") == .success(.double(17.25)))
        #expect(FieldType.number.convert("17,25") == .success(.double(17.25)))
        #expect(FieldType.number.convert("beaucoup").failureValue != nil)
    }

    @Test(
        "booleans",
        arguments: [
            ("true", true), ("FALSE", false), ("oui", true), ("Non", false), ("1", true), ("0", false),
        ])
    func booleans(cell: String, value: Bool) {
        #expect(FieldType.boolean.convert(cell) == .success(.bool(value)))
    }

    @Test("a boolean cell that is none of the accepted words is a problem")
    func badBoolean() {
        #expect(FieldType.boolean.convert("peut-être").failureValue != nil)
    }

    @Test("lists split on ';' and drop blanks")
    func lists() {
        #expect(
            FieldType.stringList.convert("B; C ;;CE") == .success(.array([.string("B"), .string("C"), .string("CE")])))
    }

    @Test("language lists become code and level objects")
    func languages() {
        let expected = JSONValue.array([
            .object(["code": .string("fr"), "level": .string("B2")]),
            .object(["code": .string("bm"), "level": .string("C2")]),
        ])
        #expect(FieldType.languageList.convert("fr:B2;bm:C2") == .success(expected))
        #expect(FieldType.languageList.convert("fr-B2").failureValue != nil)
        #expect(FieldType.languageList.convert("fr:").failureValue != nil)
    }

    @Test(
        "every type writes back the cell it reads",
        arguments: [
            (FieldType.string, "Doha"), (.integer, "42"), (.number, "17.5"), (.boolean, "true"), (.date, "2027-01-31"),
            (.stringList, "B;C"), (.languageList, "fr:B2;bm:C2"),
        ])
    func roundTrip(type: FieldType, cell: String) throws {
        let value = try type.convert(cell).get()
        #expect(type.cell(for: value) == cell)
    }
}

extension Result {
    var failureValue: Failure? {
        if case .failure(let failure) = self { failure } else { nil }
    }
}
