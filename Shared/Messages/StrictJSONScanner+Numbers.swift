/// Numbers: RFC 8259 grammar (no leading zeros, no `+`, no bare `.`), and finite as a
/// Double. The magnitude is read from the digits' positions, so only a number within a
/// factor of ten of `Double.greatestFiniteMagnitude` is ever converted to decide.
extension StrictJSONScanner {
    mutating func number() throws(Problem) {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else {
            throw problem(.syntax, "expected a digit at byte \(index)")
        }
        // The power of ten of the first significant digit, before the exponent; nil for zero.
        var order: Int? = nil
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) {
                throw problem(.syntax, "leading zero in a number at byte \(start)")
            }
        } else {
            let integerStart = index
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            order = index - integerStart - 1
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            let fractionStart = index
            while index < bytes.count, isDigit(bytes[index]) {
                if order == nil, bytes[index] != UInt8(ascii: "0") { order = fractionStart - index - 1 }
                index += 1
            }
            guard index > fractionStart else {
                throw problem(.syntax, "expected a digit after '.' at byte \(index)")
            }
        }
        var exponent = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            var negative = false
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                negative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            let exponentStart = index
            while index < bytes.count, isDigit(bytes[index]) {
                // Saturates: beyond a million the answer no longer depends on the digits.
                if exponent < 1_000_000 { exponent = exponent * 10 + Int(bytes[index] - UInt8(ascii: "0")) }
                index += 1
            }
            guard index > exponentStart else {
                throw problem(.syntax, "expected a digit in the exponent at byte \(index)")
            }
            if negative { exponent = -exponent }
        }
        guard let order else { return }
        let magnitude = order + exponent
        if magnitude < 308 { return }
        if magnitude == 308, isFinite(start..<index) { return }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        throw problem(.numberOutOfRange, "the number \(text) is too large for a 64-bit floating-point number")
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    /// Whether the number in `range`, between 1e308 and 1e309, stays below Double's largest.
    private func isFinite(_ range: Range<Int>) -> Bool {
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        return Double(text)?.isFinite ?? false
    }
}
