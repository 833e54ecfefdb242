import CSV
import Foundation
import Messages

/// One input row, numbered by the physical line it starts on.
package struct SourceRow: Sendable {
    package let line: Int
    /// What the rejects file repeats after `line,field,code,message`.
    package let cells: [String]
    /// The body to POST, or why the row is rejected without a request.
    package let content: Result<JSONValue, RowProblem>
    /// A fixed key (demo data); `nil` derives it from the body's content.
    package let idempotencyKey: String?

    package init(line: Int, cells: [String], content: Result<JSONValue, RowProblem>, idempotencyKey: String?) {
        self.line = line
        self.cells = cells
        self.content = content
        self.idempotencyKey = idempotencyKey
    }
}

/// Rows read one at a time, so that a file of any size is imported in flat memory.
package protocol RowSource {
    /// The column names the rejects file writes after `line,field,code,message`.
    var echoHeader: [String] { get }
    mutating func next() throws(ImportError) -> SourceRow?
}

/// The input formats `import` reads.
package enum InputFormat: String, Sendable, CaseIterable {
    case csv, jsonl

    /// The format of `path` by its extension: `.csv`, `.jsonl` or `.ndjson`.
    package init?(path: String) {
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "csv": self = .csv
        case "jsonl", "ndjson": self = .jsonl
        default: return nil
        }
    }
}

extension InputFormat {
    /// The rows of `path` in this format; a CSV's header is read (and checked) here.
    package func source(path: String, kind: RecordKind) throws(ImportError) -> any RowSource {
        switch self {
        case .csv: try CSVRowSource(path: path, kind: kind)
        case .jsonl: try JSONLRowSource(path: path)
        }
    }
}

/// A CSV file with a header row of dotted field paths.
package final class CSVRowSource: RowSource {
    package let schema: RowSchema
    private let reader: CSVReader
    private var nextLine: Int
    private let path: String

    package init(path: String, kind: RecordKind) throws(ImportError) {
        guard let stream = InputStream(fileAtPath: path), FileManager.default.isReadableFile(atPath: path) else {
            throw .unreadableFile(path: path, reason: "introuvable ou illisible / missing or unreadable")
        }
        do {
            reader = try CSVReader(stream: stream, hasHeaderRow: true, delimiter: Self.delimiter(path: path))
        } catch {
            throw .unreadableFile(path: path, reason: "\(error)")
        }
        guard let header = reader.headerRow, header != [""] else {
            throw .unreadableFile(path: path, reason: "pas de ligne d’en-tête / no header row")
        }
        schema = try RowSchema(kind: kind, header: header)
        self.path = path
        nextLine = 2 + header.reduce(0) { $0 + $1.newlineCount }
    }

    package var echoHeader: [String] { schema.dataHeader }

    package func next() throws(ImportError) -> SourceRow? {
        while let cells = reader.next() {
            let line = nextLine
            nextLine += 1 + cells.reduce(0) { $0 + $1.newlineCount }
            if cells.count == 1, cells[0].trimmingWhitespace().isEmpty { continue }
            return SourceRow(
                line: line, cells: schema.dataCells(cells), content: schema.body(of: cells), idempotencyKey: nil)
        }
        // CSV.swift reports the end of the stream as `cannotReadFile`: only other errors count.
        if let error = reader.error, !Self.isEndOfStream(error) {
            throw .unreadableFile(path: path, reason: "\(error)")
        }
        return nil
    }
}

extension CSVRowSource {
    /// `;` when the header row has semicolons and no comma (a spreadsheet saved in French,
    /// where the comma is the decimal mark), `,` otherwise. Field paths hold neither.
    package static func delimiter(path: String) -> UnicodeScalar {
        guard let handle = FileHandle(forReadingAtPath: path) else { return "," }
        defer { try? handle.close() }
        let start = (try? handle.read(upToCount: 1 << 16)) ?? Data()
        let header = start.prefix { $0 != UInt8(ascii: "\n") }
        return !header.contains(UInt8(ascii: ",")) && header.contains(UInt8(ascii: ";")) ? ";" : ","
    }

    fileprivate static func isEndOfStream(_ error: any Error) -> Bool {
        if let error = error as? CSVError, case .cannotReadFile = error { true } else { false }
    }
}

/// JSON lines: one object per line, blank lines skipped.
package final class JSONLRowSource: RowSource {
    private var lines: LineReader
    private var lineNumber = 0

    package init(path: String) throws(ImportError) {
        lines = try LineReader(path: path)
    }

    package var echoHeader: [String] { ["row"] }

    package func next() throws(ImportError) -> SourceRow? {
        while let bytes = try lines.next() {
            lineNumber += 1
            let text = String(decoding: bytes, as: UTF8.self)
            if text.trimmingWhitespace().isEmpty { continue }
            let content: Result<JSONValue, RowProblem>
            do {
                let value = try CanonicalJSON.decode(JSONValue.self, from: bytes)
                if case .object = value {
                    content = .success(value)
                } else {
                    content = .failure(
                        RowProblem(
                            field: "", code: "invalid-json",
                            message: "la ligne n’est pas un objet JSON / the line is not a JSON object"))
                }
            } catch {
                content = .failure(
                    RowProblem(field: "", code: "invalid-json", message: "JSON illisible / unreadable JSON: \(error)"))
            }
            return SourceRow(line: lineNumber, cells: [text], content: content, idempotencyKey: nil)
        }
        return nil
    }
}

/// Lines of a file read in chunks, without their `\n` (nor a `\r` before it).
package struct LineReader {
    private let handle: FileHandle
    private let path: String
    private var buffer: [UInt8] = []
    private var start = 0
    private var atEnd = false

    package init(path: String) throws(ImportError) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .unreadableFile(path: path, reason: "introuvable ou illisible / missing or unreadable")
        }
        self.handle = handle
        self.path = path
    }

    package mutating func next() throws(ImportError) -> [UInt8]? {
        while true {
            if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                var line = Array(buffer[start..<newline])
                start = newline + 1
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                return line
            }
            if atEnd {
                guard start < buffer.count else { return nil }
                let line = Array(buffer[start...])
                start = buffer.count
                return line
            }
            buffer.removeFirst(start)
            start = 0
            do {
                let chunk = try handle.read(upToCount: 1 << 16) ?? Data()
                if chunk.isEmpty { atEnd = true } else { buffer.append(contentsOf: chunk) }
            } catch {
                throw .unreadableFile(path: path, reason: "\(error)")
            }
        }
    }

    /// The number of lines in `path`, counted in chunks; `nil` if it cannot be read.
    package static func countLines(path: String) -> Int? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        var count = 0
        var last: UInt8 = UInt8(ascii: "\n")
        while let chunk = try? handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            chunk.withUnsafeBytes { bytes in
                for byte in bytes where byte == UInt8(ascii: "\n") { count += 1 }
            }
            last = chunk.last ?? last
        }
        return last == UInt8(ascii: "\n") ? count : count + 1
    }
}

extension String {
    /// Line breaks inside the string (a CSV cell quoted across lines); `\r\n` counts once.
    package var newlineCount: Int {
        var count = 0
        var previous: UInt8 = 0
        for byte in utf8 {
            if byte == UInt8(ascii: "\n"), previous != UInt8(ascii: "\r") { count += 1 }
            if byte == UInt8(ascii: "\r") { count += 1 }
            previous = byte
        }
        return count
    }
}
