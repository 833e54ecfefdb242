/// The one error type of the `Messages` module.
///
/// Every case names the offending field (as a JSON path such as `payload.salary.currency`)
/// or the offending input, and says what is wrong with it, so that a service can log it,
/// count it and answer an HTTP client with a `field` without further interpretation.
public enum MessageError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The bytes are not a JSON object: empty input, invalid UTF-8, a syntax error, or a
    /// top-level value that is not an object.
    case notJSON(reason: String)
    /// A required field is absent.
    case missingField(field: String)
    /// A field holds a JSON value of the wrong kind (`expected` is e.g. `"string"`).
    case wrongType(field: String, expected: String)
    /// A field has the right JSON kind but an unacceptable value.
    case invalidField(field: String, reason: String)
    /// The envelope's `v` is not a version this build reads.
    case unsupportedVersion(Int)
    /// The topic frame and the envelope's `type` disagree.
    case typeMismatch(topic: String, type: String)
    /// A topic string is malformed.
    case invalidTopic(topic: String, reason: String)

    /// The JSON path of the field at fault, when the error is about one field.
    ///
    /// HTTP APIs return it as `error.field`.
    public var field: String? {
        switch self {
        case .missingField(let field), .wrongType(let field, _), .invalidField(let field, _):
            field
        case .unsupportedVersion:
            "v"
        case .typeMismatch:
            "type"
        case .invalidTopic:
            "topic"
        case .notJSON:
            nil
        }
    }

    public var description: String {
        switch self {
        case .notJSON(let reason):
            "not a JSON object: \(reason)"
        case .missingField(let field):
            "missing field '\(field)'"
        case .wrongType(let field, let expected):
            "field '\(field)' has the wrong type: expected \(expected)"
        case .invalidField(let field, let reason):
            "invalid field '\(field)': \(reason)"
        case .unsupportedVersion(let version):
            "unsupported envelope version v=\(version): this build reads v=\(Envelope.version)"
        case .typeMismatch(let topic, let type):
            "topic frame '\(topic)' does not match envelope field 'type' '\(type)'"
        case .invalidTopic(let topic, let reason):
            "invalid topic '\(topic)': \(reason)"
        }
    }
}
