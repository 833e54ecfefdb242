import BenchmarkSupport
import Bus
import Foundation

/// The measured runs of one case (route × envelope size), in messages per second.
struct CaseResult: Sendable {
    let route: String
    let size: Int
    let rates: [Double]

    var median: Double { Figures.median(rates) }
    /// Envelope bytes only (the 16-byte topic frame and ZeroMQ framing are not counted), 10^6 B.
    var medianMegabytes: Double { median * Double(size) / 1_000_000 }
}

/// The printed table and the machine it ran on.
enum Report {
    static func sizeLabel(_ size: Int) -> String {
        size >= 1024 && size % 1024 == 0 ? "\(size / 1024) KiB" : "\(size) B"
    }

    static func rate(_ value: Double) -> String { Figures.grouped(value) }

    static func machine(broker: String, messages: Int, runs: Int) -> String {
        #if DEBUG
            let build = "DEBUG build of bus-throughput: numbers are meaningless, use -c release"
        #else
            let build = "release build"
        #endif
        return """
            bus-throughput: \(rate(Double(messages))) messages per run, \(runs) runs per case after 1 warm-up, \(build)
            machine: nproc \(ProcessInfo.processInfo.activeProcessorCount), \(Machine.cpuModel()), \
            \(ProcessInfo.processInfo.operatingSystemVersionString)
            libzmq \(BusContext.libraryVersion); transport tcp://127.0.0.1 (kernel-chosen ports)
            broker: \(broker)
            """
    }

    static func table(_ results: [CaseResult]) -> String {
        let header = ["case", "size", "median msg/s", "min msg/s", "max msg/s", "median MB/s"]
        var rows = results.map { result in
            [
                result.route, sizeLabel(result.size), rate(result.median), rate(result.rates.min() ?? 0),
                rate(result.rates.max() ?? 0), String(format: "%.1f", result.medianMegabytes),
            ]
        }
        rows.insert(header, at: 0)
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        var lines = rows.map { row in
            row.indices.map { column in
                // Text columns left-aligned, numbers right-aligned so digits line up.
                column < 2
                    ? row[column].padding(toLength: widths[column], withPad: " ", startingAt: 0)
                    : row[column].leftPadded(to: widths[column], with: " ")
            }.joined(separator: "  ")
        }
        lines.insert(String(repeating: "-", count: lines[0].count), at: 1)
        lines.append("")
        for size in Set(results.map(\.size)).sorted() {
            let cases = results.filter { $0.size == size }
            guard let direct = cases.first(where: { $0.route == "direct" }),
                let broker = cases.first(where: { $0.route == "broker" })
            else { continue }
            lines.append(
                "ratio broker/direct, \(sizeLabel(size)): \(String(format: "%.2f", broker.median / direct.median))"
                    + " (median msg/s over median msg/s)")
            if let curve = cases.first(where: { $0.route == "broker+curve" }) {
                lines.append(
                    "ratio broker+curve/broker, \(sizeLabel(size)): "
                        + "\(String(format: "%.2f", curve.median / broker.median)) (encryption alone)")
            }
            if let secure = cases.first(where: { $0.route == "broker+curve+acl" }) {
                lines.append(
                    "ratio broker+curve+acl/broker, \(sizeLabel(size)): "
                        + "\(String(format: "%.2f", secure.median / broker.median)) (the cost of security; aim ≥ 0.8)")
            }
        }
        return lines.joined(separator: "\n")
    }

}
