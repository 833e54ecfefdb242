import BenchmarkSupport
import Bus
import Foundation
import GRDB

/// The measured runs of one case, in events per second.
struct CaseResult: Sendable {
    let name: String
    let events: Int
    let rates: [Double]

    var median: Double { Figures.median(rates) }
}

/// The printed header, table and ratios.
enum Report {
    /// The project's aim: durable delivery keeps at least a third of SQLite's own insert rate.
    static let aim = 1.0 / 3.0

    static func rate(_ value: Double) -> String { Figures.grouped(value) }

    static func seconds(_ duration: Duration) -> String {
        String(format: "%.3f s", duration / .seconds(1))
    }

    static func header(events: Int, publishBatch: Int, catchUpEvents: Int, runs: Int) -> String {
        #if DEBUG
            let build = "DEBUG build of delivery-throughput: numbers are meaningless, use -c release"
        #else
            let build = "release build"
        #endif
        let sqlite = (try? DatabaseQueue().read { try String.fetchOne($0, sql: "SELECT sqlite_version()") }) ?? "?"
        let sizes = Workload.sizes
        return """
            delivery-throughput: \(runs) runs per case after 1 smaller warm-up, \(build)
            machine: nproc \(ProcessInfo.processInfo.activeProcessorCount), \(Machine.cpuModel()), \
            \(ProcessInfo.processInfo.operatingSystemVersionString)
            SQLite \(sqlite) (WAL, synchronous=FULL, via ServiceDatabase), libzmq \(BusContext.libraryVersion)
            files in \(NSTemporaryDirectory()); broker: in-process BrokerCore (own context, HWM 200,000)
            events: topic \(Workload.topic), payload \(sizes.payload) B, envelope \(sizes.envelope) B
            end-to-end: \(rate(Double(events))) events, \(publishBatch) per publisher transaction
            catch-up: \(rate(Double(catchUpEvents))) events pre-filled, replayed in batches of ≤1,000
            yardstick: \(rate(Double(events))) rows, \(YardstickRun.transactionRows) per transaction
            """
    }

    static func table(_ results: [CaseResult]) -> String {
        let header = ["case", "events", "median events/s", "min events/s", "max events/s"]
        var rows = results.map { result in
            [
                result.name, rate(Double(result.events)), rate(result.median), rate(result.rates.min() ?? 0),
                rate(result.rates.max() ?? 0),
            ]
        }
        rows.insert(header, at: 0)
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        var lines = rows.map { row in
            row.indices.map { column in
                // The name left-aligned, numbers right-aligned so that digits line up.
                column == 0
                    ? row[column].padding(toLength: widths[column], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[column] - row[column].count) + row[column]
            }.joined(separator: "  ")
        }
        lines.insert(String(repeating: "-", count: lines[0].count), at: 1)
        return lines.joined(separator: "\n")
    }

    /// The ratios of medians, and whether the aim is met.
    static func ratios(endToEnd: CaseResult, catchUp: CaseResult, yardstick: CaseResult) -> String {
        let delivered = endToEnd.median / yardstick.median
        let caughtUp = catchUp.median / yardstick.median
        let verdict = delivered >= aim ? "MET" : "NOT MET"
        return """
            ratio end-to-end/yardstick: \(String(format: "%.2f", delivered)) (median over median)
            ratio catch-up/yardstick:   \(String(format: "%.2f", caughtUp)) (median over median)
            aim end-to-end >= 1/3 of the yardstick: \(verdict)
            """
    }

    /// Peak resident memory of this process (VmHWM), over every case.
    static func peakMemory() -> String {
        guard let kilobytes = Machine.status("VmHWM") else {
            return "peak RSS: unknown (no VmHWM in /proc/self/status)"
        }
        return String(format: "peak RSS (VmHWM): %.0f MiB", Double(kilobytes) / 1024)
    }

}
