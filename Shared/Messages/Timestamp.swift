import Foundation

/// An instant with millisecond precision, written as RFC 3339 UTC with exactly three
/// fraction digits: `2026-11-28T23:55:46.123Z`.
///
/// It holds integer milliseconds since 1970-01-01T00:00:00Z, so decoding and re-encoding
/// gives the same bytes. Parsing accepts any RFC 3339 date-time (fraction optional, `Z`
/// or a numeric offset) and converts it to UTC; digits below the millisecond are
/// truncated, never rounded, so a time never moves into the next second.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public let millisecondsSinceEpoch: Int64

    /// The instants RFC 3339 can write: 0000-01-01T00:00:00.000Z ... 9999-12-31T23:59:59.999Z.
    public static let representableRange: ClosedRange<Int64> = -62_167_219_200_000...253_402_300_799_999

    /// A timestamp at `millisecondsSinceEpoch`, clamped to `representableRange`.
    public init(millisecondsSinceEpoch: Int64) {
        let range = Self.representableRange
        self.millisecondsSinceEpoch = min(max(millisecondsSinceEpoch, range.lowerBound), range.upperBound)
    }

    /// The timestamp of `date`, truncated to the millisecond.
    public init(_ date: Date) {
        // Round to the microsecond first: a Date made from whole milliseconds is often a
        // hair below them in binary floating point.
        let microseconds = (date.timeIntervalSince1970 * 1_000_000).rounded()
        let range = Self.representableRange
        guard microseconds.isFinite, microseconds > Double(range.lowerBound) * 1000 else {
            self.init(millisecondsSinceEpoch: range.lowerBound)
            return
        }
        guard microseconds < Double(range.upperBound) * 1000 else {
            self.init(millisecondsSinceEpoch: range.upperBound)
            return
        }
        self.init(millisecondsSinceEpoch: Int64((microseconds / 1000).rounded(.down)))
    }

    /// Parses an RFC 3339 date-time; `field` names the input in the error.
    public init(rfc3339 string: String, field: String = "time") throws(MessageError) {
        switch Self.parse(string) {
        case .success(let milliseconds): self.millisecondsSinceEpoch = milliseconds
        case .failure(let problem): throw .invalidField(field: field, reason: problem.reason)
        }
    }

    /// The current time, truncated to the millisecond.
    public static var now: Timestamp { Timestamp(Date()) }

    /// This instant as a Foundation `Date`.
    public var date: Date { Date(timeIntervalSince1970: Double(millisecondsSinceEpoch) / 1000) }

    /// The canonical form, e.g. `2026-11-28T23:55:46.123Z`.
    public var rfc3339: String {
        let (days, millisecondOfDay) = millisecondsSinceEpoch.floorDivided(by: 86_400_000)
        let (year, month, day) = CivilCalendar.date(dayNumber: days)
        let pad = CivilCalendar.pad
        let time = millisecondOfDay / 1000
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T"
            + "\(pad(time / 3600, 2)):\(pad(time / 60 % 60, 2)):\(pad(time % 60, 2)).\(pad(millisecondOfDay % 1000, 3))Z"
    }

    public var description: String { rfc3339 }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.millisecondsSinceEpoch < rhs.millisecondsSinceEpoch
    }
}

extension Timestamp: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        switch Self.parse(try container.decode(String.self)) {
        case .success(let milliseconds): self.millisecondsSinceEpoch = milliseconds
        case .failure(let problem):
            throw DecodingError.dataCorruptedError(in: container, debugDescription: problem.reason)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rfc3339)
    }
}

extension Timestamp {
    struct ParseProblem: Error {
        let reason: String
    }

    static func parse(_ string: String) -> Result<Int64, ParseProblem> {
        let shape = "expected an RFC 3339 date-time such as 2026-11-28T23:55:46.123Z, got \"\(string)\""
        var scanner = ASCIIScanner(string)
        guard let year = scanner.digits(4), scanner.take("-") != nil, let month = scanner.digits(2),
            scanner.take("-") != nil, let day = scanner.digits(2), scanner.take("T", "t") != nil,
            let hour = scanner.digits(2), scanner.take(":") != nil, let minute = scanner.digits(2),
            scanner.take(":") != nil, let second = scanner.digits(2)
        else { return .failure(ParseProblem(reason: shape)) }

        var millisecond: Int64 = 0
        if scanner.take(".") != nil {
            var count = 0
            while let digit = scanner.digits(1) {
                if count < 3 { millisecond = millisecond * 10 + digit }
                count += 1
            }
            guard count > 0 else { return .failure(ParseProblem(reason: shape)) }
            for _ in count..<max(count, 3) { millisecond *= 10 }
        }

        var offsetSeconds: Int64 = 0
        if scanner.take("Z", "z") == nil {
            guard let sign = scanner.take("+", "-"), let offsetHour = scanner.digits(2), scanner.take(":") != nil,
                let offsetMinute = scanner.digits(2)
            else { return .failure(ParseProblem(reason: shape)) }
            guard offsetHour <= 23, offsetMinute <= 59 else {
                return .failure(ParseProblem(reason: "time zone offset out of range in \"\(string)\""))
            }
            offsetSeconds = (offsetHour * 3600 + offsetMinute * 60) * (sign == UInt8(ascii: "-") ? -1 : 1)
        }
        guard scanner.isAtEnd else { return .failure(ParseProblem(reason: shape)) }

        if let problem = CivilCalendar.problem(year: year, month: month, day: day) {
            return .failure(ParseProblem(reason: "\(problem) in \"\(string)\""))
        }
        guard hour <= 23, minute <= 59 else {
            return .failure(ParseProblem(reason: "time of day out of range in \"\(string)\""))
        }
        guard second <= 59 else {
            let reason = second == 60 ? "leap seconds are not supported" : "seconds out of range"
            return .failure(ParseProblem(reason: "\(reason) in \"\(string)\""))
        }

        let days = CivilCalendar.dayNumber(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        let milliseconds = seconds * 1000 + millisecond
        guard representableRange.contains(milliseconds) else {
            return .failure(ParseProblem(reason: "\"\(string)\" is outside years 0000...9999 in UTC"))
        }
        return .success(milliseconds)
    }
}

extension Int64 {
    /// Quotient and remainder rounded towards negative infinity (the remainder is >= 0).
    func floorDivided(by divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        let (quotient, remainder) = quotientAndRemainder(dividingBy: divisor)
        return remainder < 0 ? (quotient - 1, remainder + divisor) : (quotient, remainder)
    }
}
