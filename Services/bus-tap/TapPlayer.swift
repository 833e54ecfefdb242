import Bus
import Foundation
import Messages

/// `--play FILE`: publishes the envelopes of a `--record` file into a bus, in the file's
/// order, each byte for byte as recorded, at most `rate` per second when given.
///
/// The whole file is checked first: one malformed line and nothing is published (a test
/// bus fed half a recording would show a gap that never happened).
struct TapPlayer {
    let path: String
    let rate: Double?

    /// Every line of the file as a message; throws naming the first line that is not an envelope.
    func load() throws(TapFileError) -> [BusMessage] {
        guard let data = FileManager.default.contents(atPath: path) else { throw .cannotRead(path: path) }
        var messages: [BusMessage] = []
        for (index, line) in data.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            let bytes = Array(line)
            // A final line break leaves one empty line; an empty line elsewhere is malformed too.
            if bytes.isEmpty, index == data.filter({ $0 == 0x0A }).count { continue }
            do {
                let header = try EnvelopeHeader.decode(bytes: bytes)
                messages.append(BusMessage(topic: header.type, envelope: bytes))
            } catch {
                throw .malformedLine(path: path, line: index + 1, reason: bytes.isEmpty ? "empty line" : "\(error)")
            }
        }
        guard !messages.isEmpty else { throw .empty(path: path) }
        return messages
    }

    /// Publishes `messages` once a subscriber covers the first one's topic (or after
    /// `wait`), spacing them by `1 / rate` seconds when a rate is set.
    func play(_ messages: [BusMessage], through publisher: BusPublisher, wait: Duration) async throws {
        if let first = messages.first {
            // A bus without subscribers drops everything: wait, bounded, for the first one.
            try? await publisher.waitForSubscriber(covering: first.topic, timeout: wait)
        }
        let spacing = rate.map { Duration.milliseconds(Int64(1000 / $0)) }
        var due = ContinuousClock.now
        for message in messages {
            if let spacing {
                try await Task.sleep(until: due)
                due += spacing
            }
            try await publisher.publish(message)
        }
        try await publisher.flush()
    }
}
