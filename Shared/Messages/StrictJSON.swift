import Foundation

// TEMPORARY stand-in until the strict scanner lands (same API).
public enum StrictJSON {
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public enum Kind: Sendable, Equatable { case syntax, duplicateKey, numberOutOfRange, tooDeep }
        public var kind: Kind
        public var path: String
        public var reason: String
        public var description: String { "\(path): \(reason)" }
    }
    public static func check(_ bytes: UnsafeRawBufferPointer) throws(Problem) {
        guard (try? JSONSerialization.jsonObject(with: Data(bytes))) != nil else {
            throw Problem(kind: .syntax, path: "", reason: "not JSON")
        }
    }
    public static func topLevelString(_ key: String, in bytes: UnsafeRawBufferPointer) throws(Problem) -> String? {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] else {
            throw Problem(kind: .syntax, path: "", reason: "not an object")
        }
        guard let value = object[key] else { return nil }
        guard let text = value as? String else { throw Problem(kind: .syntax, path: key, reason: "not a string") }
        return text
    }
}
