import Foundation

/// Who reads: officers see exact counts; the public sees counts of people under the
/// threshold as « < k », with the cells that would give them away hidden too.
enum View: Sendable, Equatable {
    case exact
    case `public`(threshold: Int)

    var name: String { self == .exact ? "exact" : "public" }
}

/// A column of a table: what it counts, and whether those are people (suppressed in public).
struct StatColumn: Codable, Sendable, Equatable {
    var key: String
    var title: Words
    var people: Bool
}

/// One published number: exact, or hidden in the public view (README, « Méthode »).
enum Count: Sendable, Equatable {
    case exact(Int)
    /// Under the threshold: shown « < k ».
    case fewer
    /// Hidden so that a count under the threshold cannot be worked out: shown « s ».
    case masked
    /// The whole table is withheld, no pattern of « < k » and « s » protecting it
    /// (`SuppressedTable.Reason.withheld`): shown « nd », which says nothing of the count.
    case withheld

    var number: Int? { if case .exact(let value) = self { value } else { nil } }

    func text(threshold: Int) -> String {
        switch self {
        case .exact(let value): "\(value)"
        case .fewer: "< \(threshold)"
        case .masked: Count.maskedMark
        case .withheld: "nd"
        }
    }

    /// The mark of a count hidden to protect another (« secret statistique »).
    static let maskedMark = "s"
}

/// One row: a category and its counts.
struct StatRow: Sendable, Equatable {
    var key: String
    var label: Words
    var values: [Count]
}

/// A table as served: JSON, CSV and the dashboard read this.
struct StatTable: Sendable, Equatable {
    var dimension: String
    var title: Words
    /// What the rows are (« Pays de destination »).
    var rowTitle: Words
    var columns: [StatColumn]
    var rows: [StatRow]
    /// Column totals, when the rows add up (not for languages, where a person counts once per
    /// language, nor for the funnel's nested stages).
    var total: [Count]?
    var notes: [Words] = []

    func column(_ key: String) -> Int? { columns.firstIndex { $0.key == key } }

    /// The number of `key` in `row` (nil: hidden or no such column).
    func value(_ row: StatRow, _ key: String) -> Int? { column(key).flatMap { row.values[$0].number } }
}

/// The JSON of a table: rows as objects keyed by column, a hidden count as the string « < k ».
struct StatTableDocument: Encodable {
    let table: StatTable
    let view: View
    let period: Period

    private typealias Key = NamedKey

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(table.dimension, forKey: Key("dimension"))
        try container.encode(table.title, forKey: Key("title"))
        try container.encode(table.rowTitle, forKey: Key("rowTitle"))
        try container.encode(view.name, forKey: Key("view"))
        if case .public(let threshold) = view { try container.encode(threshold, forKey: Key("threshold")) }
        try container.encode(period, forKey: Key("period"))
        try container.encode(table.columns, forKey: Key("columns"))
        var rows = container.nestedUnkeyedContainer(forKey: Key("rows"))
        for row in table.rows {
            var object = rows.nestedContainer(keyedBy: Key.self)
            try object.encode(row.key, forKey: Key("key"))
            try object.encode(row.label, forKey: Key("label"))
            for (column, value) in zip(table.columns, row.values) {
                try encode(value, column: column.key, in: &object)
            }
        }
        if let total = table.total {
            var object = container.nestedContainer(keyedBy: Key.self, forKey: Key("total"))
            for (column, value) in zip(table.columns, total) { try encode(value, column: column.key, in: &object) }
        }
        if !table.notes.isEmpty { try container.encode(table.notes, forKey: Key("notes")) }
    }

    private func encode(_ value: Count, column: String, in object: inout KeyedEncodingContainer<Key>) throws {
        if let number = value.number {
            try object.encode(number, forKey: Key(column))
        } else if case .public(let threshold) = view {
            try object.encode(value.text(threshold: threshold), forKey: Key(column))
        }
    }
}

/// Months `from...to` (YYYY-MM), both included.
struct Period: Codable, Sendable, Equatable {
    var from: String
    var to: String

    static let all = Period(from: "0000-00", to: "9999-99")
}

/// A JSON key named at run time: the tables' columns and the summary's figures.
struct NamedKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
