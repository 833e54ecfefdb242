/// Strings: UTF-8 checked byte by byte (no overlong forms, no encoded surrogates, nothing
/// above U+10FFFF), escapes checked, and a `\u` surrogate accepted only as half of a pair.
extension StrictJSONScanner {
    /// Scans a string from its opening quote; returns where its content lies.
    mutating func string() throws(Problem) -> ScannedString {
        index += 1
        let start = index
        var escaped = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return ScannedString(start: start, end: index - 1, escaped: escaped)
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
                try escape()
            } else if byte < 0x20 {
                throw problem(.syntax, "unescaped control character \(describe(byte)) in a string at byte \(index)")
            } else if byte < 0x80 {
                index += 1
            } else {
                try multibyte()
            }
        }
        throw problem(.syntax, "unterminated string starting at byte \(start - 1)")
    }

    /// One escape sequence, from its backslash.
    private mutating func escape() throws(Problem) {
        guard index + 1 < bytes.count else { throw problem(.syntax, "unterminated escape at byte \(index)") }
        switch bytes[index + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            index += 2
        case UInt8(ascii: "u"):
            let at = index
            let unit = try hexUnit(at: index)
            index += 6
            if (0xDC00...0xDFFF).contains(unit) {
                throw problem(.syntax, "lone low surrogate \\u\(String(unit, radix: 16)) at byte \(at)")
            }
            if (0xD800...0xDBFF).contains(unit) {
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                    bytes[index + 1] == UInt8(ascii: "u"),
                    (0xDC00...0xDFFF).contains(try hexUnit(at: index))
                else {
                    throw problem(.syntax, "lone high surrogate \\u\(String(unit, radix: 16)) at byte \(at)")
                }
                index += 6
            }
        default:
            throw problem(.syntax, "invalid escape \\\(describe(bytes[index + 1])) at byte \(index)")
        }
    }

    /// The four hex digits of the `\u` escape at `at`.
    private func hexUnit(at: Int) throws(Problem) -> UInt16 {
        guard at + 6 <= bytes.count else { throw problem(.syntax, "truncated \\u escape at byte \(at)") }
        var unit: UInt16 = 0
        for offset in 2..<6 {
            guard let digit = Self.hexValue(bytes[at + offset]) else {
                throw problem(.syntax, "invalid \\u escape at byte \(at)")
            }
            unit = unit << 4 | UInt16(digit)
        }
        return unit
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// One multi-byte UTF-8 sequence (Unicode 15, table 3-7).
    private mutating func multibyte() throws(Problem) {
        let lead = bytes[index]
        let length: Int
        var second: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; second = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; second = 0x80...0x9F
        case 0xF0: length = 4; second = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; second = 0x80...0x8F
        default: throw problem(.syntax, "invalid UTF-8 at byte \(index)")
        }
        guard index + length <= bytes.count, second.contains(bytes[index + 1]) else {
            throw problem(.syntax, "invalid UTF-8 at byte \(index)")
        }
        for offset in 2..<length where !(0x80...0xBF).contains(bytes[index + offset]) {
            throw problem(.syntax, "invalid UTF-8 at byte \(index)")
        }
        index += length
    }

    /// The UTF-8 of a scanned string with its escapes resolved; the string is known valid.
    func decode(_ string: ScannedString) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(string.end - string.start)
        var at = string.start
        while at < string.end {
            let byte = bytes[at]
            guard byte == UInt8(ascii: "\\") else {
                result.append(byte)
                at += 1
                continue
            }
            let kind = bytes[at + 1]
            at += 2
            switch kind {
            case UInt8(ascii: "b"): result.append(0x08)
            case UInt8(ascii: "f"): result.append(0x0C)
            case UInt8(ascii: "n"): result.append(0x0A)
            case UInt8(ascii: "r"): result.append(0x0D)
            case UInt8(ascii: "t"): result.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = UInt32((try? hexUnit(at: at - 2)) ?? 0xFFFD)
                at += 4
                if (0xD800...0xDBFF).contains(scalar) {
                    let low = UInt32((try? hexUnit(at: at)) ?? 0xDC00)
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    at += 6
                }
                UTF8.encode(Unicode.Scalar(scalar) ?? "\u{FFFD}") { result.append($0) }
            default: result.append(kind)
            }
        }
        return result
    }
}
