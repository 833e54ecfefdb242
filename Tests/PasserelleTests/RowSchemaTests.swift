import Messages
import Testing

@testable import Importing
@testable import passerelle

@Suite("A CSV header is checked, then each row becomes a nested JSON object")
struct RowSchemaTests {
    @Test("dotted columns fill nested objects; empty cells leave fields out")
    func nested() throws {
        let schema = try RowSchema(
            kind: .offer, header: ["title", "employer.name", "salary.amount", "positions", "city"])
        let body = try schema.body(of: ["Maçon", "BTP Dakar SA", "150000", "3", ""]).get()
        #expect(
            body
                == .object([
                    "title": .string("Maçon"),
                    "employer": .object(["name": .string("BTP Dakar SA")]),
                    "salary": .object(["amount": .int(150_000)]),
                    "positions": .int(3),
                ]))
    }

    @Test("every column of both kinds is accepted")
    func allColumns() throws {
        for kind in RecordKind.allCases {
            _ = try RowSchema(kind: kind, header: kind.columns.map(\.path))
        }
    }

    @Test("an unknown column is an error for the whole file, naming the column")
    func unknownColumn() {
        #expect(throws: ImportError.unknownColumn(name: "salaire", kind: .offer)) {
            try RowSchema(kind: .offer, header: ["title", "salaire"])
        }
        let error = ImportError.unknownColumn(name: "salaire", kind: .offer)
        #expect(error.description.contains("« salaire »"))
        #expect(error.exitStatus == 64)
        // A candidate field is no offer column.
        #expect(throws: ImportError.self) { try RowSchema(kind: .offer, header: ["birthYear"]) }
    }

    @Test("a repeated column is an error")
    func repeatedColumn() {
        #expect(throws: ImportError.repeatedColumn(name: "title")) {
            try RowSchema(kind: .offer, header: ["title", "title"])
        }
    }

    @Test("a cell that cannot be converted rejects the row, naming the field")
    func badInteger() throws {
        let schema = try RowSchema(kind: .candidate, header: ["name.given", "birthYear"])
        let problem = try #require(schema.body(of: ["Awa", "abc"]).failureValue)
        #expect(problem.field == "birthYear")
        #expect(problem.code == "invalid-value")
        #expect(problem.message.contains("abc"))
    }

    @Test("a row with the wrong number of cells is rejected")
    func wrongWidth() throws {
        let schema = try RowSchema(kind: .candidate, header: ["name.given", "birthYear"])
        #expect(schema.body(of: ["Awa"]).failureValue?.code == "invalid-row")
    }

    @Test("the columns a rejects file adds are ignored, so it can be imported again")
    func rejectsColumnsIgnored() throws {
        let schema = try RowSchema(kind: .candidate, header: ["line", "field", "code", "message", "birthYear"])
        #expect(
            try schema.body(of: ["3", "birthYear", "invalid-value", "…", "1990"]).get()
                == .object(["birthYear": .int(1990)]))
        #expect(schema.dataHeader == ["birthYear"])
        #expect(schema.dataCells(["3", "birthYear", "invalid-value", "…", "1990"]) == ["1990"])
    }
}
