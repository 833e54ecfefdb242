extension MessageError {
    /// Translates an error thrown while decoding JSON into a `MessageError` that names the
    /// field by its JSON path. A `MessageError` passes through unchanged.
    static func translating(_ error: any Error) -> MessageError {
        if let error = error as? MessageError {
            return error
        }
        guard let error = error as? DecodingError else {
            return .notJSON(reason: String(describing: error))
        }
        switch error {
        case .typeMismatch(let type, let context):
            if context.codingPath.isEmpty {
                return .notJSON(reason: "the top-level value must be \(jsonKind(of: type))")
            }
            return .wrongType(field: jsonPath(context.codingPath), expected: jsonKind(of: type))
        case .valueNotFound(let type, let context):
            if context.codingPath.isEmpty {
                return .notJSON(reason: "the top-level value must be \(jsonKind(of: type)), not null")
            }
            return .wrongType(field: jsonPath(context.codingPath), expected: "\(jsonKind(of: type)), found null")
        case .keyNotFound(let key, let context):
            return .missingField(field: jsonPath(context.codingPath + [key]))
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                return .notJSON(reason: "syntax error")
            }
            return .invalidField(field: jsonPath(context.codingPath), reason: context.debugDescription)
        @unknown default:
            return .notJSON(reason: String(describing: error))
        }
    }

    /// Renders a coding path as `payload.requirements.languages[0].level`.
    static func jsonPath(_ path: [any CodingKey]) -> String {
        var result = ""
        for key in path {
            // JSONDecoder names array positions "Index N"; a dictionary key "12" also has
            // an intValue, so the string form tells the two apart.
            if let index = key.intValue, key.stringValue == "Index \(index)" {
                result += "[\(index)]"
            } else {
                result += result.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return result
    }

    /// Names a Swift type by the JSON kind a message must carry for it.
    static func jsonKind(of type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Bool.Type: return "a boolean"
        case is Int.Type, is Int64.Type, is Int32.Type, is UInt.Type, is UInt64.Type: return "an integer"
        case is Double.Type, is Float.Type: return "a number"
        default: break
        }
        let name = String(describing: type)
        if name.hasPrefix("Array<") { return "an array" }
        if name.hasPrefix("Dictionary<") { return "an object" }
        return "a \(name)"
    }
}
