/// The byte loop behind `StrictJSON`: a recursive-descent scan (recursion is bounded by
/// `StrictJSON.maximumDepth`) that keeps only what an error message or a duplicate check
/// needs: the path to the current value and the keys of the objects being scanned.
struct StrictJSONScanner {
    typealias Problem = StrictJSON.Problem

    let bytes: UnsafeRawBufferPointer
    /// The next byte to read.
    var index = 0
    private var depth = 0
    /// Where the current value is, for problems; rendered as a string only on failure.
    private var path: [PathStep] = []
    /// The keys of every object being scanned, innermost last; each object remembers where
    /// its own keys start.
    private var keys: [StrictJSONKey] = []
    /// The top-level key `topLevelString` looks for, and where its string value lies.
    private let wanted: [UInt8]?
    private var wantedString: ScannedString?

    private enum PathStep {
        case key(StrictJSONKey)
        case index(Int)
    }

    /// The content of a string between its quotes, and whether it holds escapes.
    struct ScannedString {
        var start: Int
        var end: Int
        var escaped: Bool
    }

    /// Objects with more keys than this look duplicates up in a set rather than comparing
    /// with every earlier key, so a hostile object of 100,000 keys costs no more than linear time.
    private static let linearKeys = 16

    init(_ bytes: UnsafeRawBufferPointer, wanted: [UInt8]?) {
        self.bytes = bytes
        self.wanted = wanted
    }

    /// The whole text: one value, surrounded by nothing but whitespace.
    mutating func document() throws(Problem) {
        skipWhitespace()
        guard index < bytes.count else { throw problem(.syntax, "empty input / texte vide") }
        if wanted != nil, bytes[index] != UInt8(ascii: "{") {
            throw problem(.syntax, "expected an object at byte \(index)")
        }
        try value()
        skipWhitespace()
        if index < bytes.count {
            throw problem(.syntax, "unexpected \(describe(bytes[index])) after the value at byte \(index)")
        }
    }

    /// The decoded value of the wanted top-level member, once `document()` has succeeded.
    func wantedValue() -> String? {
        guard let found = wantedString else { return nil }
        if !found.escaped {
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[found.start..<found.end]), as: UTF8.self)
        }
        return String(decoding: decode(found), as: UTF8.self)
    }

    // MARK: Values

    private mutating func value() throws(Problem) {
        guard index < bytes.count else { throw problem(.syntax, "unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): try object()
        case UInt8(ascii: "["): try array()
        case UInt8(ascii: "\""): _ = try string()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case let byte: throw problem(.syntax, "unexpected \(describe(byte)) at byte \(index)")
        }
    }

    private mutating func object() throws(Problem) {
        try enter()
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return
        }
        let first = keys.count
        var large: Set<StrictJSONKey>? = nil
        while true {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw problem(.syntax, "expected a key in quotes at byte \(index)")
            }
            let scanned = try string()
            let key = StrictJSONKey(scanned, in: bytes, decoded: scanned.escaped ? decode(scanned) : nil)
            path.append(.key(key))
            if isDuplicate(key, first: first, large: &large) {
                throw problem(.duplicateKey, "the key \"\(key.text)\" appears twice in the same object")
            }
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                throw problem(.syntax, "expected ':' after a key at byte \(index)")
            }
            index += 1
            skipWhitespace()
            if depth == 1, let wanted, key.equals(wanted) {
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                    throw problem(.syntax, "expected a string")
                }
                wantedString = try string()
            } else {
                try value()
            }
            path.removeLast()
            skipWhitespace()
            guard index < bytes.count else { throw problem(.syntax, "unexpected end of input in an object") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                skipWhitespace()
                continue
            }
            guard bytes[index] == UInt8(ascii: "}") else {
                throw problem(.syntax, "expected ',' or '}' at byte \(index)")
            }
            index += 1
            break
        }
        keys.removeSubrange(first...)
        depth -= 1
    }

    /// Whether `key` was already seen in the object whose keys start at `first`; records it.
    private mutating func isDuplicate(_ key: StrictJSONKey, first: Int, large: inout Set<StrictJSONKey>?) -> Bool {
        if large != nil { return !large!.insert(key).inserted }
        for earlier in keys[first...] where earlier == key { return true }
        keys.append(key)
        if keys.count - first > Self.linearKeys { large = Set(keys[first...]) }
        return false
    }

    private mutating func array() throws(Problem) {
        try enter()
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return
        }
        var position = 0
        path.append(.index(0))
        while true {
            path[path.count - 1] = .index(position)
            try value()
            skipWhitespace()
            guard index < bytes.count else { throw problem(.syntax, "unexpected end of input in an array") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                skipWhitespace()
                position += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "]") else {
                throw problem(.syntax, "expected ',' or ']' at byte \(index)")
            }
            index += 1
            break
        }
        path.removeLast()
        depth -= 1
    }

    private mutating func enter() throws(Problem) {
        depth += 1
        if depth > StrictJSON.maximumDepth {
            throw problem(.tooDeep, "nested more than \(StrictJSON.maximumDepth) levels deep")
        }
    }

    private mutating func literal(_ word: StaticString) throws(Problem) {
        let count = word.utf8CodeUnitCount
        guard bytes.count - index >= count,
            UnsafeRawBufferPointer(rebasing: bytes[index..<index + count]).elementsEqual(
                UnsafeRawBufferPointer(start: word.utf8Start, count: count))
        else { throw problem(.syntax, "unexpected \(describe(bytes[index])) at byte \(index)") }
        index += count
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    // MARK: Problems

    func problem(_ kind: Problem.Kind, _ reason: String) -> Problem {
        var rendered = ""
        for step in path {
            switch step {
            case .key(let key): rendered += rendered.isEmpty ? key.text : ".\(key.text)"
            case .index(let position): rendered += "[\(position)]"
            }
        }
        return Problem(kind: kind, path: rendered, reason: reason)
    }

    func describe(_ byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
    }
}
