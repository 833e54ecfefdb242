/// A calendar day without time or time zone, written `YYYY-MM-DD` (ISO 8601): offer start
/// and end dates, application deadlines, a candidate's availability.
///
/// Only real days of the proleptic Gregorian calendar in years 0000...9999 exist:
/// `2027-02-29` is rejected, `2028-02-29` accepted. Ordering is chronological.
public struct LocalDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    /// 1...12.
    public let month: Int
    /// 1...28, 29, 30 or 31 depending on the month.
    public let day: Int

    /// The date `year-month-day`; `field` names the input in the error.
    public init(year: Int, month: Int, day: Int, field: String = "date") throws(MessageError) {
        if let problem = CivilCalendar.problem(year: Int64(year), month: Int64(month), day: Int64(day)) {
            throw .invalidField(field: field, reason: problem)
        }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`; `field` names the input in the error.
    public init(_ string: String, field: String = "date") throws(MessageError) {
        switch Self.parse(string) {
        case .success(let date): self = date
        case .failure(let problem): throw .invalidField(field: field, reason: problem.reason)
        }
    }

    /// The UTC calendar day of `timestamp`.
    public init(_ timestamp: Timestamp) {
        let days = timestamp.millisecondsSinceEpoch.floorDivided(by: 86_400_000).quotient
        self.init(dayNumber: days)
    }

    /// Days since 1970-01-01 (negative before it); differences give durations in days.
    public var daysSinceEpoch: Int {
        Int(CivilCalendar.dayNumber(year: Int64(year), month: Int64(month), day: Int64(day)))
    }

    /// The date `days` later (earlier when negative).
    public func adding(days: Int) -> LocalDate {
        LocalDate(dayNumber: Int64(daysSinceEpoch + days))
    }

    /// `YYYY-MM-DD`.
    public var description: String {
        "\(CivilCalendar.pad(Int64(year), 4))-\(CivilCalendar.pad(Int64(month), 2))-\(CivilCalendar.pad(Int64(day), 2))"
    }

    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// Dates outside years 0000...9999 are clamped to them.
    private init(dayNumber: Int64) {
        let first = CivilCalendar.dayNumber(year: 0, month: 1, day: 1)
        let last = CivilCalendar.dayNumber(year: 9999, month: 12, day: 31)
        let (year, month, day) = CivilCalendar.date(dayNumber: min(max(dayNumber, first), last))
        self.year = Int(year)
        self.month = Int(month)
        self.day = Int(day)
    }

    private struct ParseProblem: Error {
        let reason: String
    }

    private static func parse(_ string: String) -> Result<LocalDate, ParseProblem> {
        var scanner = ASCIIScanner(string)
        guard let year = scanner.digits(4), scanner.take("-") != nil, let month = scanner.digits(2),
            scanner.take("-") != nil, let day = scanner.digits(2), scanner.isAtEnd
        else {
            return .failure(ParseProblem(reason: "expected a date YYYY-MM-DD such as 2027-02-01, got \"\(string)\""))
        }
        if let problem = CivilCalendar.problem(year: year, month: month, day: day) {
            return .failure(ParseProblem(reason: "\(problem) in \"\(string)\""))
        }
        return .success(LocalDate(dayNumber: CivilCalendar.dayNumber(year: year, month: month, day: day)))
    }
}

extension LocalDate: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        switch Self.parse(try container.decode(String.self)) {
        case .success(let date): self = date
        case .failure(let problem):
            throw DecodingError.dataCorruptedError(in: container, debugDescription: problem.reason)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
