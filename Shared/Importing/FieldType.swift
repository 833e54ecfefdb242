import Foundation
import Messages

/// How a CSV cell becomes a JSON value, and back (for `demo --write`).
package enum FieldType: Sendable, Hashable {
    case string
    case integer
    case number
    /// `true/false`, `oui/non`, `1/0` (any case).
    case boolean
    /// `YYYY-MM-DD`, checked here so that a typo is reported against its row at once.
    case date
    /// `;`-separated, blanks around items trimmed.
    case stringList
    /// `fr:B2;bm:C2` → `[{"code":"fr","level":"B2"}]`.
    case languageList

    /// The JSON value of a non-empty `cell`, or why it cannot be one (in French and English).
    package func convert(_ cell: String) -> Result<JSONValue, CellProblem> {
        let text = cell.trimmingWhitespace()
        switch self {
        case .string:
            return .success(.string(cell))
        case .integer:
            guard let value = Int64(text) else {
                return .failure(CellProblem(fr: "« \(cell) » n’est pas un entier", en: "\"\(cell)\" is not an integer"))
            }
            return .success(.int(value))
        case .number:
            if let value = Int64(text) { return .success(.int(value)) }
            let decimal = text.replacingOccurrences(of: ",", with: ".")
            guard let value = Double(decimal), value.isFinite else {
                return .failure(CellProblem(fr: "« \(cell) » n’est pas un nombre", en: "\"\(cell)\" is not a number"))
            }
            return .success(.double(value))
        case .boolean:
            switch text.lowercased() {
            case "true", "oui", "1": return .success(.bool(true))
            case "false", "non", "0": return .success(.bool(false))
            default:
                return .failure(
                    CellProblem(
                        fr: "« \(cell) » n’est pas un booléen (true/false, oui/non, 1/0)",
                        en: "\"\(cell)\" is not a boolean (true/false, oui/non, 1/0)"))
            }
        case .date:
            guard (try? LocalDate(text)) != nil else {
                return .failure(
                    CellProblem(
                        fr: "« \(cell) » n’est pas une date AAAA-MM-JJ", en: "\"\(cell)\" is not a YYYY-MM-DD date"))
            }
            return .success(.string(text))
        case .stringList:
            return .success(.array(Self.items(text).map { .string($0) }))
        case .languageList:
            var languages: [JSONValue] = []
            for item in Self.items(text) {
                let parts = item.split(separator: ":", omittingEmptySubsequences: false)
                let code = parts.first.map { String($0).trimmingWhitespace() } ?? ""
                let level = parts.count == 2 ? String(parts[1]).trimmingWhitespace() : ""
                guard parts.count == 2, !code.isEmpty, !level.isEmpty else {
                    return .failure(
                        CellProblem(
                            fr: "« \(item) » n’est pas de la forme langue:niveau (fr:B2)",
                            en: "\"\(item)\" is not of the form language:level (fr:B2)"))
                }
                languages.append(.object(["code": .string(code), "level": .string(level)]))
            }
            return .success(.array(languages))
        }
    }

    /// The cell that converts back to `value`; `nil` when `value` does not fit this type.
    package func cell(for value: JSONValue) -> String? {
        switch (self, value) {
        case (.string, .string(let text)), (.date, .string(let text)): text
        case (.integer, .int(let number)), (.number, .int(let number)): String(number)
        case (.number, .double(let number)): String(number)
        case (.boolean, .bool(let flag)): flag ? "true" : "false"
        case (.stringList, .array(let items)):
            items.compactMap { if case .string(let text) = $0 { text } else { nil } }.joined(separator: ";")
        case (.languageList, .array(let items)):
            items.compactMap { item -> String? in
                guard case .string(let code) = item["code"], case .string(let level) = item["level"] else { return nil }
                return "\(code):\(level)"
            }.joined(separator: ";")
        default: nil
        }
    }

    private static func items(_ text: String) -> [String] {
        text.split(separator: ";").map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
    }
}

/// Why one cell could not be converted, in French and English.
package struct CellProblem: Error, Hashable, Sendable {
    package let fr: String
    package let en: String

    package var message: String { "\(fr) / \(en)" }
}

extension String {
    package func trimmingWhitespace() -> String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }
}
