import Messages

/// The header of one CSV file checked against a kind's columns, and the conversion of its
/// rows into the JSON bodies the registries take.
package struct RowSchema: Sendable {
    /// Columns written by the rejects file in front of the original ones; a rejects file can
    /// be corrected and imported again, so these are ignored on input.
    package static let rejectColumns = ["line", "field", "code", "message"]

    package let kind: RecordKind
    package let header: [String]
    /// For each header position, the column it fills, or `nil` for a rejects-file column.
    private let columns: [FieldColumn?]

    /// Checks `header`; an unknown or repeated column is an error for the whole file.
    package init(kind: RecordKind, header: [String]) throws(ImportError) {
        let known = Dictionary(uniqueKeysWithValues: kind.columns.map { ($0.path, $0) })
        var seen: Set<String> = []
        var columns: [FieldColumn?] = []
        for (position, raw) in header.enumerated() {
            var name = raw.trimmingWhitespace()
            if position == 0, name.hasPrefix("\u{FEFF}") { name.removeFirst() }
            if Self.rejectColumns.contains(name) {
                columns.append(nil)
                continue
            }
            guard let column = known[name] else {
                throw .unknownColumn(name: name, kind: kind)
            }
            guard seen.insert(name).inserted else { throw .repeatedColumn(name: name) }
            columns.append(column)
        }
        self.kind = kind
        self.header = header
        self.columns = columns
    }

    /// The header without the columns of an earlier rejects file: what a rejects file echoes.
    package var dataHeader: [String] { zip(header, columns).compactMap { $1 == nil ? nil : $0 } }

    /// A row's cells without those of an earlier rejects file's columns.
    package func dataCells(_ cells: [String]) -> [String] {
        guard cells.count == columns.count else { return cells }
        return zip(cells, columns).compactMap { $1 == nil ? nil : $0 }
    }

    /// The JSON object of one row; empty cells leave their field out.
    package func body(of cells: [String]) -> Result<JSONValue, RowProblem> {
        guard cells.count == columns.count else {
            return .failure(
                RowProblem(
                    field: "", code: "invalid-row",
                    message: "\(cells.count) cellules au lieu de \(columns.count) / "
                        + "\(cells.count) cells instead of \(columns.count)"))
        }
        var object = JSONValue.object([:])
        for (cell, column) in zip(cells, columns) {
            guard let column, !cell.trimmingWhitespace().isEmpty else { continue }
            switch column.type.convert(cell) {
            case .success(let value): object.setValue(value, atPath: column.path)
            case .failure(let problem):
                return .failure(RowProblem(field: column.path, code: "invalid-value", message: problem.message))
            }
        }
        return .success(object)
    }
}

/// Why a row was not created: found here before any request, or answered by the registry.
package struct RowProblem: Error, Hashable, Sendable {
    /// The field at fault as a dotted path, or empty when the row as a whole is.
    package let field: String
    /// A stable code: ours (`invalid-value`, `invalid-row`, `invalid-json`, `unreachable`,
    /// `server-error`) or the registry's.
    package let code: String
    package let message: String
}

extension JSONValue {
    /// Sets `value` at a dotted path, creating the objects on the way.
    package mutating func setValue(_ value: JSONValue, atPath path: String) {
        setValue(value, at: path.split(separator: ".").map(String.init)[...])
    }

    private mutating func setValue(_ value: JSONValue, at keys: ArraySlice<String>) {
        guard let key = keys.first else {
            self = value
            return
        }
        var members: [String: JSONValue] = if case .object(let existing) = self { existing } else { [:] }
        var child = members[key] ?? .object([:])
        child.setValue(value, at: keys.dropFirst())
        members[key] = child
        self = .object(members)
    }

    /// The value at a dotted path, or `nil`.
    package func value(atPath path: String) -> JSONValue? {
        var current: JSONValue? = self
        for key in path.split(separator: ".") { current = current?[String(key)] }
        return current
    }
}
