import Foundation
import Synchronization

/// One machine, no gateway: each message is one JSON line appended to
/// `<data dir>/spool/outbox.jsonl`, for a person or a script to read.
final class SpoolChannel: NotificationChannel {
    let name = "spool"
    let recognisesRepeats = true
    let path: String
    private let lock = Mutex(())

    init(directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = (directory as NSString).appendingPathComponent("outbox.jsonl")
        if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
    }

    func send(_ message: OutgoingMessage) async throws -> String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var line = try encoder.encode(message)
        line.append(0x0A)
        try lock.withLock { _ in
            guard let handle = FileHandle(forWritingAtPath: path) else {
                throw ChannelError(description: "spool \(path) cannot be opened")
            }
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: line)
        }
        return nil
    }
}
