import Foundation
import Importing
import Messages

/// Demo records as rows to import: numbered from 1, keyed `demo-<kind>-<seed>-<index>`.
struct DemoRowSource: RowSource {
    let generator: DemoGenerator
    let kind: RecordKind
    let count: Int
    private var index = 0

    init(generator: DemoGenerator, kind: RecordKind, count: Int) {
        self.generator = generator
        self.kind = kind
        self.count = count
    }

    var echoHeader: [String] { [] }

    mutating func next() throws(ImportError) -> SourceRow? {
        guard index < count else { return nil }
        defer { index += 1 }
        return SourceRow(
            line: index + 1, cells: [], content: .success(generator.record(kind: kind, index: index)),
            idempotencyKey: generator.idempotencyKey(kind: kind, index: index))
    }
}

/// Writes records in the import CSV format: one column per field path, in the kind's order.
enum DemoCSVWriter {
    /// The CSV row of `record`; a field absent or of the wrong type gives an empty cell.
    static func cells(of record: JSONValue, kind: RecordKind) -> [String] {
        kind.columns.map { column in
            record.value(atPath: column.path).flatMap { column.type.cell(for: $0) } ?? ""
        }
    }

    /// Writes `count` records of `kind` to `path`, a few hundred kilobytes at a time.
    static func write(
        generator: DemoGenerator, kind: RecordKind, count: Int, to path: String
    ) throws(ImportError) {
        guard FileManager.default.createFile(atPath: path, contents: nil),
            let handle = FileHandle(forWritingAtPath: path)
        else { throw .unwritableFile(path: path, reason: "création impossible / cannot create") }
        defer { try? handle.close() }
        var buffer = CSVLine.encode(kind.columns.map(\.path))
        do {
            for index in 0..<count {
                buffer += CSVLine.encode(cells(of: generator.record(kind: kind, index: index), kind: kind))
                if buffer.utf8.count >= 1 << 18 {
                    try handle.write(contentsOf: Data(buffer.utf8))
                    buffer = ""
                }
            }
            try handle.write(contentsOf: Data(buffer.utf8))
        } catch {
            throw .unwritableFile(path: path, reason: "\(error)")
        }
    }
}
