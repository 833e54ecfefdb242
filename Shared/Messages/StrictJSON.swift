/// A strict RFC 8259 check of JSON text, run before Foundation's decoder, which is lenient
/// where a hostile client can exploit it: it keeps the first of two members with the same
/// key (so a gateway and a registry may read different values), and its errors about
/// numbers it cannot represent name no field.
///
/// The scan is one loop over the bytes: no Foundation JSON and no allocation per byte, so
/// the bus broker can afford it on every message.
public enum StrictJSON {
    /// What is wrong, and where: `path` is a JSON path like `requirements.languages[0].level` ("" for the root).
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public enum Kind: Sendable, Equatable { case syntax, duplicateKey, numberOutOfRange, tooDeep }
        public var kind: Kind
        public var path: String
        public var reason: String

        public init(kind: Kind, path: String, reason: String) {
            self.kind = kind
            self.path = path
            self.reason = reason
        }

        public var description: String { path.isEmpty ? reason : "\(path): \(reason)" }
    }

    /// The deepest nesting of arrays and objects accepted: deeper texts are refused before
    /// a recursive decoder could exhaust its stack on them.
    public static let maximumDepth = 64

    /// Checks a whole text: valid UTF-8 strings, strict syntax (no trailing commas, no comments, nothing after the value but whitespace), no object with the same key twice (compared after resolving escapes, so "a" and "\u0061" are the same key), every number finite as a Double (1e309 is out of range), nesting at most 64 deep.
    public static func check(_ bytes: UnsafeRawBufferPointer) throws(Problem) {
        var scanner = StrictJSONScanner(bytes, wanted: nil)
        try scanner.document()
    }

    /// `check`, and the text must be an object; returns the decoded (escapes resolved) string value of its top-level member `key`, nil when absent; a member `key` that is not a string is a `.syntax` problem at path `key`.
    public static func topLevelString(_ key: String, in bytes: UnsafeRawBufferPointer) throws(Problem) -> String? {
        var scanner = StrictJSONScanner(bytes, wanted: Array(key.utf8))
        try scanner.document()
        return scanner.wantedValue()
    }
}

extension StrictJSON {
    /// `check` on bytes in an array.
    public static func check(_ bytes: [UInt8]) throws(Problem) {
        let result = bytes.withUnsafeBytes { buffer in Result { () throws(Problem) in try check(buffer) } }
        try result.get()
    }
}
