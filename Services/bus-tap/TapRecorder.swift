import Bus
import Foundation

/// `--record FILE`: each envelope the tap handles, one JSON per line, in the order received.
///
/// The envelope bytes are written as received (masked as the tap prints them, see
/// ``PersonalDataMask``); a line break inside them is JSON whitespace and becomes a space,
/// so that every line is one envelope. The topic is the envelope's `type`, so `--play`
/// needs nothing else.
final class TapRecorder: Sendable {
    let path: String
    private let handle: FileHandle

    /// Creates (or empties) `path`.
    init(path: String) throws(TapFileError) {
        self.path = path
        guard FileManager.default.createFile(atPath: path, contents: nil),
            let handle = FileHandle(forWritingAtPath: path)
        else { throw .cannotWrite(path: path) }
        self.handle = handle
    }

    func write(_ message: BusMessage) throws {
        var line = message.envelope.map { $0 == 0x0A || $0 == 0x0D ? 0x20 : $0 }
        line.append(0x0A)
        try handle.write(contentsOf: line)
    }

    func close() { try? handle.close() }
}

/// What goes wrong with a `--record` or `--play` file; each names the file, and the line.
enum TapFileError: Error, CustomStringConvertible, Equatable {
    case cannotWrite(path: String)
    case cannotRead(path: String)
    case malformedLine(path: String, line: Int, reason: String)
    case empty(path: String)

    var description: String {
        switch self {
        case .cannotWrite(let path): "--record: cannot write \(path)"
        case .cannotRead(let path): "--play: cannot read \(path)"
        case .malformedLine(let path, let line, let reason):
            "--play: \(path) line \(line) is not an envelope (\(reason)); nothing was published"
        case .empty(let path): "--play: \(path) holds no envelope; nothing was published"
        }
    }
}
