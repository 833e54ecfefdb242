/// Proleptic Gregorian calendar arithmetic on day numbers (days since 1970-01-01), after
/// Howard Hinnant's `days_from_civil` / `civil_from_days`: exact for every year, no
/// time zone database, no Foundation calendar.
enum CivilCalendar {
    static func isLeapYear(_ year: Int64) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// The day number of a valid calendar date.
    static func dayNumber(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The calendar date of a day number.
    static func date(dayNumber: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Checks a year-month-day triple; returns why it is not a real day, or nil.
    static func problem(year: Int64, month: Int64, day: Int64) -> String? {
        guard (0...9999).contains(year) else { return "year \(year) is outside 0000...9999" }
        guard (1...12).contains(month) else { return "month \(month) does not exist" }
        let last = daysInMonth(year: year, month: month)
        guard (1...last).contains(day) else {
            return "day \(day) does not exist in \(pad(year, 4))-\(pad(month, 2)) (last day \(last))"
        }
        return nil
    }

    /// Zero-pads a non-negative number to `width` digits.
    static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

/// A cursor over ASCII bytes for the hand-written date and time parsers.
struct ASCIIScanner {
    let bytes: [UInt8]
    var index = 0

    init(_ string: String) { bytes = Array(string.utf8) }

    var isAtEnd: Bool { index == bytes.count }

    /// Reads exactly `count` decimal digits.
    mutating func digits(_ count: Int) -> Int64? {
        guard index + count <= bytes.count else { return nil }
        var value: Int64 = 0
        for byte in bytes[index..<index + count] {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            value = value * 10 + Int64(byte - UInt8(ascii: "0"))
        }
        index += count
        return value
    }

    /// Consumes one byte if it is one of `options`, and returns it.
    mutating func take(_ options: Character...) -> UInt8? {
        guard index < bytes.count, options.contains(where: { $0.asciiValue == bytes[index] }) else { return nil }
        index += 1
        return bytes[index - 1]
    }
}
