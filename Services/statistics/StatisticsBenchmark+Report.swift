import Bus
import Foundation
import GRDB
import Logging
import ServiceKit

/// The printed header, tables and figures, as `notifier bench` prints its own (the
/// Benchmarks package cannot import an executable, so the few helpers are repeated).
enum StatsBenchReport {
    /// Writes one line to stdout at once, even into a pipe or a file, so that a long run shows its progress.
    static func say(_ text: String = "") {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// Inbox and HTTP code logs warnings and errors; nothing else, or it would drown the figures.
    static func logger(_ label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = .warning
        return logger
    }

    static func header(_ workload: StatsBenchWorkload, rounds: Int, requests: Int) -> String {
        #if DEBUG
            let build = "DEBUG build of statistics: numbers are meaningless, use -c release"
        #else
            let build = "release build"
        #endif
        let sqlite = (try? DatabaseQueue().read { try String.fetchOne($0, sql: "SELECT sqlite_version()") }) ?? "?"
        let bytes = workload.streams.map { ($0.messages.first?.envelope.count ?? 0) }
        return """
            statistics bench: \(rounds) round(s) per case after 1 smaller warm-up, \(build)
            machine: nproc \(ProcessInfo.processInfo.activeProcessorCount), \(cpuModel()), \
            \(ProcessInfo.processInfo.operatingSystemVersionString)
            SQLite \(sqlite) via ServiceDatabase (WAL, synchronous=FULL, secure_delete); files in \
            \(NSTemporaryDirectory())
            events: \(rate(Double(workload.events))) = \(rate(Double(workload.offers))) offer.published + \
            \(rate(Double(workload.candidates))) candidate.registered + \(rate(Double(workload.matches))) match.found + \
            \(rate(Double(workload.notifications))) notification.sent/reply, over 24 months, from 4 sources \
            (envelopes \(bytes.map(String.init).joined(separator: "/")) B), \(rate(Double(workload.bursts.count))) \
            bursts of up to \(StatsBenchWorkload.burst) from one source each, oldest first
            statistics: Inbox → Aggregator.apply (records and cells) in the inbox's transaction per burst
            yardstick: the same messages and bursts through an Inbox whose handler does nothing
            queries: \(rate(Double(requests))) requests per query and view, one at a time, after \
            \(StatsBenchQueries.warmUp) untimed
            """
    }

    static func table(_ cases: [(String, [StatsBenchOutcome])]) -> String {
        let header = ["case", "events", "median events/s", "min events/s", "max events/s", "median time"]
        let rows = cases.map { name, outcomes in
            let rates = outcomes.map(\.rate)
            let times = outcomes.map { $0.elapsed / .seconds(1) }
            return [
                name, rate(Double(outcomes.first?.events ?? 0)), rate(median(rates)), rate(rates.min() ?? 0),
                rate(rates.max() ?? 0), String(format: "%.1f s", median(times)),
            ]
        }
        return BenchFigures.table([header] + rows, left: 1)
    }

    static func ratio(statistics: [StatsBenchOutcome], yardstick: [StatsBenchOutcome]) -> String {
        let value = median(statistics.map(\.rate)) / median(yardstick.map(\.rate))
        return "ratio statistics/yardstick: \(String(format: "%.3f", value)) (median over median)"
    }

    /// Time inside `Aggregator.apply` per event of each stream (medians over the rounds).
    static func breakdown(_ outcomes: [StatsBenchOutcome], _ workload: StatsBenchWorkload) -> String {
        let total = median(outcomes.map { $0.elapsed / .microseconds(1) / Double($0.events) })
        var lines = ["where the statistics' time goes (medians over the rounds):"]
        for stream in workload.streams {
            let perEvent = median(
                outcomes.map { ($0.handler[stream.stream] ?? .zero) / .microseconds(1) / Double(stream.messages.count) }
            )
            lines.append(
                "  Aggregator.apply, \(stream.stream) ".padding(toLength: 44, withPad: " ", startingAt: 0)
                    + String(format: "%8.1f µs/event of its stream", perEvent))
        }
        let applying = median(
            outcomes.map { $0.handler.values.reduce(Duration.zero, +) / .microseconds(1) / Double($0.events) })
        lines.append("  Aggregator.apply, all ".padding(toLength: 44, withPad: " ", startingAt: 0) + us(applying))
        lines.append(
            "  Inbox and SQLite commits, the rest ".padding(toLength: 44, withPad: " ", startingAt: 0)
                + us(total - applying))
        lines.append("  total ".padding(toLength: 44, withPad: " ", startingAt: 0) + us(total))
        return lines.joined(separator: "\n")
    }

    private static func us(_ value: Double) -> String { String(format: "%8.1f µs/event", value) }

    static func queries(_ timings: [StatsQueryTiming]) -> String {
        let header = ["query", "view", "via", "p50 ms", "p99 ms", "max ms", "p99 < 5 ms"]
        let rows = timings.map { timing in
            let sorted = timing.durations.map { $0 / .milliseconds(1) }.sorted()
            let p99 = percentile(sorted, 0.99)
            return [
                timing.query, timing.view, timing.via, String(format: "%.2f", percentile(sorted, 0.5)),
                String(format: "%.2f", p99), String(format: "%.2f", sorted.last ?? 0),
                timing.via.hasPrefix(" ") ? "" : p99 < 5 ? "yes" : "NO",
            ]
        }
        return BenchFigures.table([header] + rows, left: 3)
    }

    static func peakMemory() -> String { BenchFigures.peakMemory() }
    static func cpuModel() -> String { BenchFigures.cpuModel() }

    static func seconds(_ duration: Duration) -> String { String(format: "%.1f s", duration / .seconds(1)) }

    static func rate(_ value: Double) -> String { BenchFigures.grouped(value) }
    static func median(_ values: [Double]) -> Double { BenchFigures.median(values) }

    static func percentile(_ sorted: [Double], _ p: Double) -> Double { BenchFigures.percentile(sorted: sorted, p) }
}

/// A check that failed: the benchmark stops with its banner.
struct StatsBenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
