import Foundation
import Messages
import Testing

@testable import Importing
@testable import passerelle

@Suite("Input files are read row by row, each row numbered by its physical line")
struct RowSourceTests {
    @Test("CSV rows carry their line: header is line 1, blank lines and multi-line cells count")
    func csvLines() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.file(
            "c.csv",
            "name.given,birthYear,skills\nAwa,1990,soudure\n\n\"Moussa\",1985,\"ligne un\nligne deux\"\nOumou,abc,\n")
        let source = try CSVRowSource(path: file, kind: .candidate)
        var rows: [SourceRow] = []
        while let row = try source.next() { rows.append(row) }
        #expect(rows.map(\.line) == [2, 4, 6])
        #expect(rows[1].cells == ["Moussa", "1985", "ligne un\nligne deux"])
        #expect(
            try rows[0].content.get()
                == .object([
                    "name": .object(["given": .string("Awa")]), "birthYear": .int(1990),
                    "skills": .array([.string("soudure")]),
                ]))
        #expect(rows[2].content.failureValue?.field == "birthYear")
    }

    @Test("a CSV file with an unknown column fails before any row is read")
    func csvUnknownColumn() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.file("c.csv", "name.given,pointure\nAwa,38\n")
        #expect(throws: ImportError.unknownColumn(name: "pointure", kind: .candidate)) {
            try CSVRowSource(path: file, kind: .candidate)
        }
    }

    @Test("a missing file is a usage error")
    func missingFile() {
        #expect(throws: ImportError.self) { try CSVRowSource(path: "/nonexistent/x.csv", kind: .offer) }
        #expect(throws: ImportError.self) { try JSONLRowSource(path: "/nonexistent/x.jsonl") }
    }

    @Test("JSON lines: one object per line, blank lines skipped, bad lines rejected with their line")
    func jsonLines() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.file(
            "c.jsonl",
            "{\"birthYear\":1990}\r\n\n   \n{\"birthYear\": 1985, \"region\": \"ML-BKO\"}\n"
                + "[1]\n{oops\n{\"gender\":\"F\"}"
        )
        let source = try JSONLRowSource(path: file)
        var rows: [SourceRow] = []
        while let row = try source.next() { rows.append(row) }
        #expect(rows.map(\.line) == [1, 4, 5, 6, 7])
        #expect(try rows[0].content.get() == .object(["birthYear": .int(1990)]))
        #expect(try rows[1].content.get() == .object(["birthYear": .int(1985), "region": .string("ML-BKO")]))
        #expect(rows[2].content.failureValue?.code == "invalid-json")
        #expect(rows[3].content.failureValue?.code == "invalid-json")
        #expect(try rows[4].content.get() == .object(["gender": .string("F")]))
        #expect(rows[3].cells == ["{oops"])
    }

    @Test("lines are counted for the progress bar, with or without a final newline")
    func countLines() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect(LineReader.countLines(path: try directory.file("a", "a\nb\nc\n")) == 3)
        #expect(LineReader.countLines(path: try directory.file("b", "a\nb\nc")) == 3)
        #expect(LineReader.countLines(path: try directory.file("c", "")) == 0)
    }

    @Test("the format follows the extension")
    func formats() {
        #expect(InputFormat(path: "a.CSV") == .csv)
        #expect(InputFormat(path: "a.jsonl") == .jsonl)
        #expect(InputFormat(path: "a.ndjson") == .jsonl)
        #expect(InputFormat(path: "a.xlsx") == nil)
    }
}

@Suite("Idempotency keys: equal rows, equal keys")
struct IdempotencyKeyTests {
    private func key(_ value: JSONValue, kind: RecordKind = .candidate) throws -> String {
        Importer.idempotencyKey(kind: kind, body: try CanonicalJSON.encode(value))
    }

    @Test("the key is the SHA-256 of the canonical JSON, whatever the key order of the input")
    func stable() throws {
        let a = try CanonicalJSON.decode(JSONValue.self, from: Array(#"{"a":1,"b":{"c":"d","e":[1,2]}}"#.utf8))
        let b = try CanonicalJSON.decode(JSONValue.self, from: Array(#"{ "b": {"e":[1,2], "c":"d"}, "a": 1 }"#.utf8))
        #expect(try key(a) == key(b))
        #expect(try key(a).hasPrefix("import-candidate-"))
        #expect(try key(a).count == "import-candidate-".count + 64)
        // echo -n '{}' | sha256sum
        #expect(
            try key(.object([:]), kind: .offer)
                == "import-offer-44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a")
    }

    @Test("different rows or kinds get different keys")
    func different() throws {
        #expect(try key(.object(["birthYear": .int(1990)])) != key(.object(["birthYear": .int(1991)])))
        #expect(try key(.object([:]), kind: .offer) != key(.object([:]), kind: .candidate))
    }
}
