import Foundation
import Messages
import Testing

/// Reading golden vectors and editing JSON messages to make bad ones.
enum TestSupport {
    static func goldenBytes(_ fileName: String) throws -> [UInt8] {
        let url = GoldenExamples.directory.appendingPathComponent(fileName)
        return Array(try Data(contentsOf: url))
    }

    /// A golden message parsed as plain JSON, to edit.
    static func goldenJSON(_ topic: String) throws -> JSONValue {
        try CanonicalJSON.decode(JSONValue.self, from: try goldenBytes(GoldenExamples.fileName(for: topic)))
    }

    /// The golden message of `topic` with the value at `path` replaced (or removed when nil).
    static func edited(_ topic: String, _ path: String, _ value: JSONValue?) throws -> [UInt8] {
        try CanonicalJSON.encode(try goldenJSON(topic).setting(path.split(separator: ".").map(String.init), to: value))
    }

    /// The error `body` throws, or a recorded issue when it throws none.
    static func messageError(
        sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws(MessageError) -> Void
    ) -> MessageError? {
        do {
            try body()
            Issue.record("expected a MessageError, got success", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error
        }
    }
}

extension JSONValue {
    /// This value with the member at `path` (object keys, or array indices as digits) set to
    /// `value`, or removed when `value` is nil.
    func setting(_ path: [String], to value: JSONValue?) -> JSONValue {
        guard let head = path.first else { return value ?? .null }
        let rest = Array(path.dropFirst())
        switch self {
        case .object(var members):
            if rest.isEmpty {
                members[head] = value
            } else {
                members[head] = (members[head] ?? .object([:])).setting(rest, to: value)
            }
            return .object(members)
        case .array(var elements):
            guard let index = Int(head), elements.indices.contains(index) else { return self }
            if rest.isEmpty, value == nil {
                elements.remove(at: index)
            } else {
                elements[index] = elements[index].setting(rest, to: value)
            }
            return .array(elements)
        default:
            return self
        }
    }
}
