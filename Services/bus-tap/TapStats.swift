import Foundation

/// What `--stats` counts: messages per topic and per source, latency per topic, and the
/// gaps and duplicates seen per source/stream, over one interval and since the start.
struct TapStats: Sendable {
    private struct Counts {
        var messages = 0
        /// Every latency up to `sampleLimit`, then a uniform sample of that size (reservoir):
        /// a tap left running for days keeps its memory bounded.
        var latencies: [Int64] = []

        mutating func add(_ latency: Int64) {
            messages += 1
            if latencies.count < TapStats.sampleLimit {
                latencies.append(latency)
            } else {
                let slot = Int.random(in: 0..<messages)
                if slot < TapStats.sampleLimit { latencies[slot] = latency }
            }
        }
    }

    /// Latencies kept per topic: percentiles are exact up to this many messages, sampled beyond.
    static let sampleLimit = 100_000

    private var topics: [String: Counts] = [:]
    private var sources: [String: Int] = [:]
    private var gaps: [String: Int] = [:]
    private var duplicates: [String: Int] = [:]
    private var malformed = 0
    private var totalMessages = 0
    private(set) var started = ContinuousClock.now

    /// Counts one message; `latency` in milliseconds from its `time` to its reception.
    mutating func record(
        topic: String, source: String, stream: String, latency: Int64, verdict: SequenceTracker.Verdict
    ) {
        topics[topic, default: Counts()].add(latency)
        sources[source, default: 0] += 1
        totalMessages += 1
        let key = "\(source)/\(stream)"
        switch verdict {
        case .inOrder: break
        case .gap: gaps[key, default: 0] += 1
        case .duplicate: duplicates[key, default: 0] += 1
        }
    }

    mutating func recordMalformed() { malformed += 1 }

    /// The block for the interval that ends now, then a new interval.
    ///
    /// ```
    /// stats 2026-12-01T05:20:01.000Z 1.00s 12 messages
    /// topic offer.published 10 msg 10.0/s latency p50 3ms p99 12ms
    /// source offer-registry 10 msg 10.0/s
    /// stream fixture/e2e 1 gaps 2 duplicates
    /// end
    /// ```
    mutating func interval(label: String = "stats") -> [String] {
        let now = ContinuousClock.now
        let seconds = max((now - started) / .seconds(1), 0.001)
        var lines = [
            "\(label) \(Self.timestamp()) \(String(format: "%.2f", seconds))s \(topics.values.reduce(0) { $0 + $1.messages }) messages"
        ]
        for (topic, counts) in topics.sorted(by: { $0.key < $1.key }) {
            let sorted = counts.latencies.sorted()
            lines.append(
                "topic \(topic) \(counts.messages) msg \(String(format: "%.1f", Double(counts.messages) / seconds))/s"
                    + " latency p50 \(Self.percentile(sorted, 50))ms p99 \(Self.percentile(sorted, 99))ms")
        }
        for (source, count) in sources.sorted(by: { $0.key < $1.key }) {
            lines.append("source \(source) \(count) msg \(String(format: "%.1f", Double(count) / seconds))/s")
        }
        for stream in Set(gaps.keys).union(duplicates.keys).sorted() {
            lines.append("stream \(stream) \(gaps[stream] ?? 0) gaps \(duplicates[stream] ?? 0) duplicates")
        }
        if malformed > 0 { lines.append("malformed \(malformed)") }
        lines.append("end")
        topics = [:]
        sources = [:]
        gaps = [:]
        duplicates = [:]
        malformed = 0
        started = now
        return lines
    }

    /// The nearest-rank percentile of ascending `values`; 0 when there are none.
    static func percentile(_ values: [Int64], _ percent: Int) -> Int64 {
        guard !values.isEmpty else { return 0 }
        let rank = (percent * values.count + 99) / 100
        return values[min(max(rank, 1), values.count) - 1]
    }

    private static func timestamp() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }
}
