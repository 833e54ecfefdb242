import Foundation
import Messages
import ServiceKit

/// When messages may go: the daily limit per candidate, quiet hours in the candidate's local
/// time, and the retries of a failing channel.
struct SendingPolicy: Sendable {
    var dailyLimit = 3
    /// Minutes after local midnight: `21:00-07:00` is (1260, 420); nil: none.
    var quietHours: (start: Int, end: Int)?
    var maxAttempts = 5
    var retryBase: Duration = .seconds(1)

    /// The UTC offset, in minutes, of a country of residence (standard time; Mali and most
    /// of West Africa are UTC).
    static let offsets: [String: Int] = [
        "FR": 60, "ES": 60, "IT": 60, "DE": 60, "BE": 60, "PT": 0, "GB": 0, "MA": 60, "DZ": 60, "TN": 60,
        "SA": 180, "AE": 240, "QA": 180, "KW": 180, "CA": -300, "US": -300, "CN": 480, "GA": 60, "CM": 60,
        "CG": 60, "CD": 60, "AO": 60, "GQ": 60,
    ]

    func startOfDay(_ now: Timestamp) -> Timestamp {
        Timestamp(millisecondsSinceEpoch: now.millisecondsSinceEpoch - now.millisecondsSinceEpoch % 86_400_000)
    }

    func nextDay(_ now: Timestamp) -> Timestamp {
        Timestamp(millisecondsSinceEpoch: startOfDay(now).millisecondsSinceEpoch + 86_400_000)
    }

    /// The end of the quiet hours if `now` falls in them for someone living in `residence`.
    func quietUntil(_ now: Timestamp, residence: String?) -> Timestamp? {
        guard let quietHours else { return nil }
        let offset = Int64(Self.offsets[residence ?? "ML"] ?? 0) * 60_000
        let local = now.millisecondsSinceEpoch + offset
        let minute = Int((local % 86_400_000) / 60_000)
        let (start, end) = quietHours
        let inside = start <= end ? (minute >= start && minute < end) : (minute >= start || minute < end)
        guard inside else { return nil }
        var wait = end - minute
        if wait <= 0 { wait += 1_440 }
        return Timestamp(millisecondsSinceEpoch: now.millisecondsSinceEpoch + Int64(wait) * 60_000 - local % 60_000)
    }

    func retryTime(after attempt: Int, now: Timestamp) -> Timestamp {
        let delay = min(retryBase * (1 << min(attempt - 1, 10)), .seconds(300))
        let milliseconds = delay.components.seconds * 1_000 + delay.components.attoseconds / 1_000_000_000_000_000
        return Timestamp(millisecondsSinceEpoch: now.millisecondsSinceEpoch + milliseconds)
    }

    /// `HH:MM-HH:MM`, or empty for none.
    static func quietHours(_ text: String) throws(SettingsError) -> (start: Int, end: Int)? {
        guard !text.isEmpty else { return nil }
        func minutes(_ part: Substring) -> Int? {
            let pieces = part.split(separator: ":")
            guard pieces.count == 2, let hour = Int(pieces[0]), let minute = Int(pieces[1]), (0..<24).contains(hour),
                (0..<60).contains(minute)
            else { return nil }
            return hour * 60 + minute
        }
        let parts = text.split(separator: "-")
        guard parts.count == 2, let start = minutes(parts[0]), let end = minutes(parts[1]), start != end else {
            throw SettingsError.invalid(
                key: "notifier.quietHours", reason: "'\(text)' is not HH:MM-HH:MM, e.g. 21:00-07:00")
        }
        return (start, end)
    }
}
