import Foundation

/// What every `… bench` subcommand prints about the machine and its figures (the notifier's,
/// the statistics'), written once.
public enum BenchFigures {
    /// Peak resident memory of this process (VmHWM), over every round.
    public static func peakMemory() -> String {
        let text = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = text.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }
        guard let kilobytes = line?.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else {
            return "peak RSS: unknown (no VmHWM in /proc/self/status)"
        }
        return String(format: "peak RSS (VmHWM): %.0f MiB", Double(kilobytes) / 1024)
    }

    public static func cpuModel() -> String {
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let line = info.split(separator: "\n").first { $0.hasPrefix("model name") }
        return line.flatMap { $0.split(separator: ":", maxSplits: 1).last }.map {
            $0.trimmingCharacters(in: .whitespaces)
        } ?? "unknown CPU"
    }

    /// A whole number with grouped digits: 1,234,567.
    public static func grouped(_ value: Double) -> String {
        let digits = String(Int(value.rounded()))
        var grouped = ""
        for (offset, digit) in digits.reversed().enumerated() {
            if offset > 0, offset % 3 == 0, digit != "-" { grouped.append(",") }
            grouped.append(digit)
        }
        return String(grouped.reversed())
    }

    /// The nearest-rank percentile of sorted values: the smallest value with at least `p` of
    /// them at or below it (0 when there is none).
    public static func percentile(sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        return sorted[max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1)]
    }

    /// Rows as a text table under a rule: the first `left` columns left-aligned, the others
    /// (numbers) right-aligned so that digits line up.
    public static func table(_ rows: [[String]], left: Int = 1) -> String {
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        var lines = rows.map { row in
            row.indices.map { column in
                column < left
                    ? row[column].padding(toLength: widths[column], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[column] - row[column].count) + row[column]
            }.joined(separator: "  ")
        }
        lines.insert(String(repeating: "-", count: lines[0].count), at: 1)
        return lines.joined(separator: "\n")
    }

    /// The median (the mean of the middle two for an even count).
    public static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}

/// A folder under the system temp directory for one round of a benchmark, removed after it;
/// the benchmark's whole folder is removed at the end, whatever happened.
public struct BenchScratch: Sendable {
    public let path: String

    /// `<tmp>/<benchmark>-bench-<pid>`.
    public static func root(_ benchmark: String) -> String {
        (NSTemporaryDirectory() as NSString).appendingPathComponent("\(benchmark)-bench-\(getpid())")
    }

    public init(_ benchmark: String, _ label: String) throws {
        path = (Self.root(benchmark) as NSString).appendingPathComponent("\(label)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    public func remove() { try? FileManager.default.removeItem(atPath: path) }

    public static func removeAll(_ benchmark: String) { try? FileManager.default.removeItem(atPath: root(benchmark)) }
}
