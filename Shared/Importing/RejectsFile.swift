import Foundation

/// The rejects file: `line,field,code,message` then the original cells, so that an officer
/// can correct the rows and import the file again. Created only at the first reject.
package struct RejectsFile: RejectSink {
    package let path: String
    package let echoHeader: [String]
    private var handle: FileHandle?
    private var pending: [UInt8] = []
    package private(set) var count = 0

    package init(path: String, echoHeader: [String]) {
        self.path = path
        self.echoHeader = echoHeader
    }

    /// The default place: `FILE.rejects.csv` beside the input.
    package static func defaultPath(for input: String) -> String { input + ".rejects.csv" }

    package mutating func record(_ row: SourceRow, _ problem: RowProblem) throws(ImportError) {
        if handle == nil {
            guard FileManager.default.createFile(atPath: path, contents: nil),
                let opened = FileHandle(forWritingAtPath: path)
            else { throw .unwritableFile(path: path, reason: "création impossible / cannot create") }
            handle = opened
            append(RowSchema.rejectColumns + echoHeader)
        }
        append([String(row.line), problem.field, problem.code, problem.message] + row.cells)
        count += 1
        if pending.count >= 1 << 16 { try flush() }
    }

    /// Writes what is buffered and closes the file; removes a stale rejects file of an
    /// earlier run when this one rejected nothing.
    package mutating func finish() throws(ImportError) {
        if handle == nil {
            if FileManager.default.fileExists(atPath: path) {
                do { try FileManager.default.removeItem(atPath: path) } catch {
                    throw .unwritableFile(path: path, reason: "\(error)")
                }
            }
            return
        }
        try flush()
        try? handle?.close()
        handle = nil
    }

    private mutating func flush() throws(ImportError) {
        guard let handle, !pending.isEmpty else { return }
        do { try handle.write(contentsOf: pending) } catch { throw .unwritableFile(path: path, reason: "\(error)") }
        pending.removeAll(keepingCapacity: true)
    }

    private mutating func append(_ fields: [String]) {
        pending.append(contentsOf: CSVLine.encode(fields).utf8)
    }
}

/// One CSV record as RFC 4180 writes it, `\n`-terminated.
package enum CSVLine {
    package static func encode(_ fields: [String]) -> String {
        fields.map(quote).joined(separator: ",") + "\n"
    }

    package static func quote(_ field: String) -> String {
        let needsQuotes = field.utf8.contains {
            $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r")
        }
        guard needsQuotes else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
