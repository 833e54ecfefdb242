import Foundation
import GRDB
import ServiceKit

/// The printed header, table, ratio and breakdown, as the Benchmarks package prints its own
/// (its BenchmarkSupport target cannot be imported from here, so the few helpers are repeated).
enum BenchReport {
    /// The journal mode and `synchronous` of a ServiceDatabase's writer, as read from it (not
    /// as asked for: GRDB's DatabasePool sets NORMAL when it turns WAL on).
    static func databaseSettings() async throws -> String {
        let scratch = try BenchScratch("notifier", "settings")
        defer { scratch.remove() }
        let database = try ServiceDatabase(directory: scratch.path, name: "settings")
        let (mode, synchronous) = try await database.pool.write { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous"))
        }
        let names = [0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"]
        return "journal_mode=\(mode ?? "?"), synchronous=\(synchronous.flatMap { names[$0] } ?? "?")"
    }

    static func header(
        events: Int, rounds: Int, candidates: Int, workload: BenchWorkload, database: String
    ) -> String {
        #if DEBUG
            let build = "DEBUG build of notifier: numbers are meaningless, use -c release"
        #else
            let build = "release build"
        #endif
        let sqlite = (try? DatabaseQueue().read { try String.fetchOne($0, sql: "SELECT sqlite_version()") }) ?? "?"
        return """
            notifier bench: \(rounds) rounds per case after 1 smaller warm-up, \(build)
            machine: nproc \(ProcessInfo.processInfo.activeProcessorCount), \(cpuModel()), \
            \(ProcessInfo.processInfo.operatingSystemVersionString)
            SQLite \(sqlite) via ServiceDatabase (its writer: \(database)); files in \(NSTemporaryDirectory())
            events: \(rate(Double(events))) match.found from one source, seq 1…N, distinct pairs of \
            \(BenchWorkload.offers) offers × \(rate(Double(candidates))) candidates, envelope \(workload.envelopeBytes) B, \
            bursts of \(NotifierRound.burst)
            notifier: Inbox → Notifier.apply (a pending message each) → Dispatcher.round until all are in the spool
            yardstick: the same messages and bursts through an Inbox whose handler does nothing
            """
    }

    static func table(notifier: [BenchOutcome], yardstick: [BenchOutcome]) -> String {
        let header = ["case", "events", "median events/s", "min events/s", "max events/s"]
        let rows = [("notifier", notifier), ("yardstick", yardstick)].map { name, outcomes in
            let rates = outcomes.map(\.rate)
            return [
                name, rate(Double(outcomes.first?.events ?? 0)), rate(median(rates)), rate(rates.min() ?? 0),
                rate(rates.max() ?? 0),
            ]
        }
        return BenchFigures.table([header] + rows)
    }

    static func ratio(notifier: [BenchOutcome], yardstick: [BenchOutcome]) -> String {
        let value = median(notifier.map(\.rate)) / median(yardstick.map(\.rate))
        return "ratio notifier/yardstick: \(String(format: "%.3f", value)) (median over median)"
    }

    /// Where the notifier's time goes, per event, medians over the rounds.
    static func breakdown(_ outcomes: [BenchOutcome]) -> String {
        func perEvent(_ part: (BenchOutcome) -> Duration) -> Double {
            median(outcomes.map { part($0) / .microseconds(1) / Double($0.events) })
        }
        let total = perEvent(\.elapsed)
        let queueing = perEvent(\.queueing)
        let dispatching = perEvent(\.dispatching)
        let channel = perEvent(\.channel)
        let deciding = perEvent(\.deciding)
        func line(_ name: String, _ value: Double) -> String {
            "  " + name.padding(toLength: 54, withPad: " ", startingAt: 0)
                + String(format: "%8.1f µs/event %5.1f %%", value, value / total * 100)
        }
        return [
            "where the notifier's time goes (the median of each part over the rounds, so they need not add up):",
            line("queueing (Inbox, Notifier.apply)", queueing),
            line("dispatching (Dispatcher.round)", dispatching),
            line("  deciding (a read transaction per batch of 200)¹", deciding),
            line("  handing to the spool (SpoolChannel.send)", channel),
            line("  recording (two write transactions per batch) and the rest", dispatching - channel - deciding),
            line("total", total),
            "  ¹ timed again after each round on up to \(rate(Double(NotifierRound.decisionSample))) of its messages, "
                + "scaled to all",
        ].joined(separator: "\n")
    }

    static func peakMemory() -> String { BenchFigures.peakMemory() }
    static func cpuModel() -> String { BenchFigures.cpuModel() }

    static func seconds(_ duration: Duration) -> String { String(format: "%.3f s", duration / .seconds(1)) }

    static func rate(_ value: Double) -> String { BenchFigures.grouped(value) }
    static func median(_ values: [Double]) -> Double { BenchFigures.median(values) }
}
