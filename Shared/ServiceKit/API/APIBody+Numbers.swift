import Messages

/// Foundation's decoder on Linux reports a number it cannot convert for its field (`40.5` or
/// 2^64 for an `Int`) as "The given data was not valid JSON", naming no field. The body has
/// passed `StrictJSON` by then, so it is valid JSON: the fault is one of its non-integer
/// numbers, found here by putting `0` in their place.
extension APIBody {
    /// One step of a path into a JSON document.
    enum Step {
        case key(String)
        case index(Int)
    }

    /// The path of a number `T` cannot hold, or nil when the fault is not a number.
    ///
    /// The numbers that are not `Int64` integers are replaced by `0` in document order; the
    /// error goes once every faulty one is replaced, which happens at a faulty one. A binary
    /// search over how many are replaced keeps this to a few decodes on a hostile body.
    static func numberAtFault<T: Decodable>(_ type: T.Type, in document: JSONValue) -> String? {
        var candidates: [[Step]] = []
        collectNumbers(document, at: [], into: &candidates)
        func fails(replacingFirst count: Int) -> Bool {
            var edited = document
            for path in candidates.prefix(count) { edited = edited.replacing(path[...], with: .int(0)) }
            guard let bytes = try? CanonicalJSON.encode(edited) else { return true }
            do throws(MessageError) {
                _ = try CanonicalJSON.decode(T.self, from: bytes)
                return false
            } catch {
                if case .notJSON = error { return true }
                return false
            }
        }
        guard !candidates.isEmpty, !fails(replacingFirst: candidates.count) else { return nil }
        // The smallest count that makes the error go: its last candidate is at fault.
        var low = 1
        var high = candidates.count
        while low < high {
            let middle = (low + high) / 2
            if fails(replacingFirst: middle) { low = middle + 1 } else { high = middle }
        }
        return render(candidates[low - 1])
    }

    private static func collectNumbers(_ value: JSONValue, at path: [Step], into found: inout [[Step]]) {
        switch value {
        case .double: found.append(path)
        case .object(let members):
            for key in members.keys.sorted() { collectNumbers(members[key]!, at: path + [.key(key)], into: &found) }
        case .array(let elements):
            for (index, element) in elements.enumerated() {
                collectNumbers(element, at: path + [.index(index)], into: &found)
            }
        default: break
        }
    }

    static func render(_ path: [Step]) -> String {
        var result = ""
        for step in path {
            switch step {
            case .key(let key): result += result.isEmpty ? key : ".\(key)"
            case .index(let index): result += "[\(index)]"
            }
        }
        return result
    }
}

extension JSONValue {
    /// This value with the value at `path` replaced.
    fileprivate func replacing(_ path: ArraySlice<APIBody.Step>, with value: JSONValue) -> JSONValue {
        guard let step = path.first else { return value }
        switch (self, step) {
        case (.object(var members), .key(let key)):
            members[key] = members[key]?.replacing(path.dropFirst(), with: value)
            return .object(members)
        case (.array(var elements), .index(let index)) where elements.indices.contains(index):
            elements[index] = elements[index].replacing(path.dropFirst(), with: value)
            return .array(elements)
        default:
            return self
        }
    }
}
