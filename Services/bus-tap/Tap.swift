import Bus
import Foundation
import Messages
import Synchronization

/// The tap's loop: receive, check, follow the seqs, print, count.
final class Tap: Sendable {
    enum Ending: Equatable {
        case countReached, closed, idle, signal
        case failed(String)
    }

    let subscriber: BusSubscriber
    let printer: TapPrinter
    let limit: Int?
    private let state: Mutex<(printed: Int, lastActivity: ContinuousClock.Instant, sequences: SequenceTracker)>

    init(subscriber: BusSubscriber, printer: TapPrinter, limit: Int?, prefixes: [String]) {
        self.subscriber = subscriber
        self.printer = printer
        self.limit = limit
        state = Mutex((printed: 0, lastActivity: .now, sequences: SequenceTracker(prefixes: prefixes)))
    }

    var printed: Int { state.withLock { $0.printed } }

    /// The streams that had gaps or duplicates, one line each, for the end of the tap.
    var summary: [String] { state.withLock { $0.sequences.summary } }

    func run() async -> Ending {
        let output = FileHandle.standardOutput
        do {
            while let delivery = try await subscriber.next() {
                state.withLock { $0.lastActivity = .now }
                switch delivery {
                case .malformed(let reason, let frames, let bytes):
                    Diagnostics.write(
                        "bus-tap: skipped a malformed message (\(frames) frames, \(bytes) bytes): \(reason)")
                case .message(let message):
                    do {
                        let header = try EnvelopeHeader.decode(topic: message.topic, bytes: message.envelope)
                        let verdict = state.withLock { $0.sequences.observe(header) }
                        output.write(Data(printer.line(for: message, header: header, verdict: verdict).utf8))
                        if let report = SequenceTracker.report(verdict, for: header) { Diagnostics.write(report) }
                    } catch {
                        Diagnostics.write("bus-tap: skipped a malformed message on \(message.topic): \(error)")
                        continue
                    }
                    let done = state.withLock { state in
                        state.printed += 1
                        return limit.map { state.printed >= $0 } ?? false
                    }
                    if done { return .countReached }
                }
            }
            return .closed
        } catch is CancellationError {
            return .closed
        } catch {
            return .failed("\(error)")
        }
    }

    /// Returns once no message arrived for `limit` (checked at least ten times per limit).
    func idle(longerThan limit: Duration) async -> Ending {
        while !Task.isCancelled {
            let quiet = ContinuousClock.now - state.withLock { $0.lastActivity }
            if quiet >= limit { return .idle }
            try? await Task.sleep(for: min(limit - quiet, limit / 10))
        }
        return .closed
    }
}
