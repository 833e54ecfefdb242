import Messages

/// Follows the seq numbers bus-tap sees per (source, stream), to show gaps and duplicates.
///
/// Publishers number each stream gap-free from 1 (DESIGN.md, "Delivery"), so a jump is a
/// message this tap did not get, and a repeat is a replay or a publisher that lost its outbox.
/// The tap only watches: it reports, it repairs nothing (that is the inbox's job).
struct SequenceTracker: Sendable {
    struct Stream: Hashable, Comparable, Sendable {
        var source: String
        var name: String

        var description: String { "\(source)/\(name)" }
        static func < (a: Stream, b: Stream) -> Bool { (a.source, a.name) < (b.source, b.name) }
    }

    /// What one message says about its stream.
    enum Verdict: Equatable, Sendable {
        /// The next seq, the first one seen, or a message that is not numbered.
        case inOrder
        /// Seqs `missing` never arrived before this one.
        case gap(missing: ClosedRange<Int64>)
        /// A seq not above the highest seen so far.
        case duplicate(lastSeen: Int64)
    }

    private struct Record {
        var last: Int64
        var gaps = 0
        var missing: Int64 = 0
        var duplicates = 0
    }

    /// Topic prefixes the tap subscribed to; "" is everything.
    let prefixes: [String]
    private var records: [Stream: Record] = [:]

    init(prefixes: [String]) {
        self.prefixes = prefixes.isEmpty ? [""] : prefixes
    }

    /// Records the message's seq and says whether it was expected.
    mutating func observe(_ header: EnvelopeHeader) -> Verdict {
        // Heartbeats are not stored, hence not numbered: they all carry seq 0.
        guard header.stream != Topic.heartbeatStream else { return .inOrder }
        let stream = Stream(source: header.source, name: header.stream)
        // The first seq seen is only a baseline: the tap may have started mid-stream.
        guard var record = records[stream] else {
            records[stream] = Record(last: header.seq)
            return .inOrder
        }
        defer { records[stream] = record }
        if header.seq <= record.last {
            record.duplicates += 1
            return .duplicate(lastSeen: record.last)
        }
        let expected = record.last + 1
        // Keep the highest seq: a late message does not move the stream back.
        record.last = header.seq
        // With a sub-topic filter (offer.published) the other topics of the stream never
        // reach the tap, so a jump there is no loss: only a whole stream can show gaps.
        guard header.seq > expected, seesWhole(stream.name) else { return .inOrder }
        record.gaps += 1
        record.missing += header.seq - expected
        return .gap(missing: expected...(header.seq - 1))
    }

    /// Takes every seq of the stream up to `through` as seen: they came from replay, or
    /// replay said they are gone on purpose (compacted or pruned), so none is a gap.
    mutating func passOver(source: String, stream: String, through: Int64) {
        let key = Stream(source: source, name: stream)
        guard through >= 1 else { return }
        var record = records[key] ?? Record(last: through)
        record.last = max(record.last, through)
        records[key] = record
    }

    /// The line for standard error, or nil when there is nothing to say.
    static func report(_ verdict: Verdict, for header: EnvelopeHeader) -> String? {
        let stream = "\(header.source)/\(header.stream)"
        switch verdict {
        case .inOrder:
            return nil
        case .gap(let missing):
            return
                "bus-tap: gap in \(stream): seq \(missing.lowerBound)–\(missing.upperBound) missing (\(missing.count))"
        case .duplicate(let last):
            // Numbering that starts over is more likely a publisher whose outbox was lost
            // than a replay of message 1 alone.
            let restarted = header.seq == 1 && last > 1 ? ", publisher restarted?" : ""
            return "bus-tap: duplicate in \(stream): seq \(header.seq) (last seen \(last))\(restarted)"
        }
    }

    /// One line per stream that had a gap or a duplicate, in a stable order; empty when all was clean.
    var summary: [String] {
        records.filter { $0.value.gaps > 0 || $0.value.duplicates > 0 }.sorted { $0.key < $1.key }.map {
            let (stream, record) = $0
            return "bus-tap: \(stream.description): last seq \(record.last), "
                + "\(counted(record.gaps, "gap")) (\(counted(record.missing, "message")) missing), "
                + counted(record.duplicates, "duplicate")
        }
    }

    /// True when every topic of `stream` passes one of the prefixes.
    private func seesWhole(_ stream: String) -> Bool {
        prefixes.contains { Topic.prefix(ofStream: stream).hasPrefix($0) }
    }

    private func counted(_ number: some BinaryInteger, _ noun: String) -> String {
        "\(number) \(noun)\(number == 1 ? "" : "s")"
    }
}
