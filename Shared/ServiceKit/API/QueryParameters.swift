import Hummingbird

/// Query parameters, checked with errors that name them.
public struct QueryParameters: Sendable {
    let parameters: [String: String]

    public init(_ request: Request) {
        var parameters: [String: String] = [:]
        for (name, value) in request.uri.queryParameters { parameters[String(name)] = String(value) }
        self.parameters = parameters
    }

    public subscript(name: String) -> String? { parameters[name].flatMap { $0.isEmpty ? nil : $0 } }

    /// An integer parameter within `range`, or `default` when absent.
    public func integer(_ name: String, default value: Int, range: ClosedRange<Int>) throws(APIError) -> Int {
        guard let text = self[name] else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw APIError(
                .badRequest, code: "invalid-parameter",
                message: "\(name) : entier de \(range.lowerBound) à \(range.upperBound) attendu / "
                    + "expected an integer from \(range.lowerBound) to \(range.upperBound)",
                field: name)
        }
        return number
    }

    /// Refuses parameters the resource does not know, so a typo does not silently list everything.
    public func only(_ known: Set<String>) throws(APIError) {
        if let unknown = parameters.keys.sorted().first(where: { !known.contains($0) }) {
            throw APIError(
                .badRequest, code: "unknown-parameter",
                message: "\(unknown) : paramètre inconnu (connus : \(known.sorted().joined(separator: ", "))) / "
                    + "unknown parameter", field: unknown)
        }
    }
}
