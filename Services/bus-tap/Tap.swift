import Bus
import Foundation
import Messages
import Synchronization

/// The tap's loop: receive, check, follow the seqs, print (masked), record, count.
final class Tap: Sendable {
    enum Ending: Equatable {
        case countReached, closed, idle, signal
        case failed(String)
    }

    /// What the tap does with each message besides following its seq.
    struct Output: Sendable {
        var printer: TapPrinter
        var mask: PersonalDataMask
        /// `--stats`: count only; the blocks replace the lines.
        var statsOnly = false
        /// `--record`: every envelope, one per line (masked as printed).
        var recorder: TapRecorder?
        /// Topic prefixes the user asked for; others (a heartbeat followed for `--from`) are not shown.
        var prefixes: [String] = [""]
    }

    private struct State {
        var printed = 0
        var lastActivity = ContinuousClock.now
        var sequences: SequenceTracker
        var interval = TapStats()
        var total = TapStats()
    }

    let subscriber: BusSubscriber
    let output: Output
    let limit: Int?
    let follower: HistoryFollower?
    private let state: Mutex<State>

    init(subscriber: BusSubscriber, output: Output, limit: Int?, prefixes: [String], follower: HistoryFollower? = nil) {
        self.subscriber = subscriber
        self.output = output
        self.limit = limit
        self.follower = follower
        state = Mutex(State(sequences: SequenceTracker(prefixes: prefixes)))
    }

    var printed: Int { state.withLock { $0.printed } }

    /// The streams that had gaps or duplicates, one line each, for the end of the tap.
    var summary: [String] { state.withLock { $0.sequences.summary } }

    /// The `--stats` block of the interval that ends now.
    func statsInterval() -> [String] { state.withLock { $0.interval.interval() } }

    /// The `--stats` block since the start, for the end of the tap.
    func statsTotal() -> [String] { state.withLock { $0.total.interval(label: "final") } }

    func run() async -> Ending {
        do {
            if let follower {
                let history = try await follower.history()
                let count = history.filter { if case .replayed = $0 { true } else { false } }.count
                Diagnostics.write("bus-tap: \(count) messages of history from replay, then live")
                for item in history where try handle(item) { return .countReached }
            }
            while let delivery = try await subscriber.next() {
                state.withLock { $0.lastActivity = .now }
                switch delivery {
                case .malformed(let reason, let frames, let bytes):
                    state.withLock {
                        $0.interval.recordMalformed()
                        $0.total.recordMalformed()
                    }
                    Diagnostics.write(
                        "bus-tap: skipped a malformed message (\(frames) frames, \(bytes) bytes): \(reason)")
                case .message(let message):
                    var items = [HistoryFollower.Item.live(message)]
                    if let follower,
                        let header = try? EnvelopeHeader.decode(topic: message.topic, bytes: message.envelope)
                    {
                        items = await follower.live(message, header: header)
                    }
                    for item in items where try handle(item) { return .countReached }
                }
            }
            return .closed
        } catch is CancellationError {
            return .closed
        } catch {
            return .failed("\(error)")
        }
    }

    /// Handles one item of history or live; true once `limit` messages were handled.
    private func handle(_ item: HistoryFollower.Item) throws -> Bool {
        switch item {
        case .live(let message):
            return try handle(message)
        case .replayed(let message):
            // Seqs skipped since the previous replayed one are gone on purpose, not lost.
            if let header = try? EnvelopeHeader.decode(topic: message.topic, bytes: message.envelope) {
                state.withLock {
                    $0.sequences.passOver(source: header.source, stream: header.stream, through: header.seq - 1)
                }
            }
            return try handle(message)
        case .passOver(let source, let stream, let through):
            state.withLock { $0.sequences.passOver(source: source, stream: stream, through: through) }
            return false
        }
    }

    /// Prints, records and counts one message; true once `limit` messages were handled.
    private func handle(_ message: BusMessage) throws -> Bool {
        // History counts as activity: a long replay must not look idle to --timeout.
        state.withLock { $0.lastActivity = .now }
        let header: EnvelopeHeader
        do {
            header = try EnvelopeHeader.decode(topic: message.topic, bytes: message.envelope)
        } catch {
            state.withLock {
                $0.interval.recordMalformed()
                $0.total.recordMalformed()
            }
            Diagnostics.write("bus-tap: skipped a malformed message on \(message.topic): \(error)")
            return false
        }
        guard output.prefixes.contains(where: { message.topic.hasPrefix($0) }) else { return false }
        let latency = Timestamp.now.millisecondsSinceEpoch - header.time.millisecondsSinceEpoch
        let verdict = state.withLock { state in
            let verdict = state.sequences.observe(header)
            for keyPath in [\State.interval, \State.total] {
                state[keyPath: keyPath].record(
                    topic: header.type, source: header.source, stream: header.stream, latency: latency,
                    verdict: verdict)
            }
            return verdict
        }
        let shown =
            output.mask.enabled
            ? BusMessage(topic: message.topic, envelope: output.mask.envelope(message.envelope)) : message
        try output.recorder?.write(shown)
        if !output.statsOnly {
            var masked = header
            masked.payload = output.mask.payload(header.payload)
            let line = output.printer.line(for: shown, header: masked, verdict: verdict, latency: latency)
            FileHandle.standardOutput.write(Data(line.utf8))
        }
        if let report = SequenceTracker.report(verdict, for: header) { Diagnostics.write(report) }
        return state.withLock { state in
            state.printed += 1
            return limit.map { state.printed >= $0 } ?? false
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
