import Foundation
import Importing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Standard output and error, written whole lines at a time.
enum Terminal {
    static func print(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Whether stderr is a terminal: the progress bar is drawn only then.
    static var stderrIsTTY: Bool { isatty(STDERR_FILENO) == 1 }
}

/// A one-line progress bar on stderr: rows done (of the total when known), rate, rejects.
/// Redrawn at most ten times a second.
final class ProgressBar {
    private let total: Int?
    private let start = ContinuousClock.now
    private var lastDraw: ContinuousClock.Instant?

    init(total: Int?) {
        self.total = total
    }

    func update(_ tally: ImportTally) {
        let now = ContinuousClock.now
        if let lastDraw, now - lastDraw < .milliseconds(100) { return }
        lastDraw = now
        draw(tally, now: now)
    }

    /// Clears the bar so the summary starts on a clean line.
    func finish() {
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }

    private func draw(_ tally: ImportTally, now: ContinuousClock.Instant) {
        let seconds = max((now - start).seconds, 0.001)
        let rate = Int(Double(tally.done) / seconds)
        var line = "\r\u{1B}[K"
        if let total, total > 0 {
            let fraction = min(1, Double(tally.done) / Double(total))
            let width = 30
            let filled = Int(fraction * Double(width))
            line += "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
            line += "\(tally.done)/\(total)"
        } else {
            line += "\(tally.done)"
        }
        line += " · \(rate) lignes/s (rows/s) · \(tally.rejected + tally.failed) rejets (rejects)"
        FileHandle.standardError.write(Data(line.utf8))
    }
}

extension Duration {
    var seconds: Double {
        let (whole, fraction) = components
        return Double(whole) + Double(fraction) / 1e18
    }
}
