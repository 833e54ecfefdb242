import GRDB
import ServiceKit

/// Reads tables and the summary for a view and a period.
struct StatsReader: Sendable {
    let database: ServiceDatabase
    /// The public view's k: counts of people under it are hidden.
    let threshold: Int

    func table(_ dimension: Dimension, view: View, period: Period) async throws -> StatTable {
        let built = try await database.pool.read { db in try TableBuilder(db: db, period: period).build(dimension) }
        return Publication.publish(built, as: dimension, view: view)
    }

    /// The headline figures, each taken from the published table it belongs to, so that a
    /// figure hidden there is hidden here too.
    func summary(view: View, period: Period) async throws -> Summary {
        let (destination, people, funnel) = try await database.pool.read { db in
            let builder = TableBuilder(db: db, period: period)
            return (
                try builder.build(.destination), try builder.build(.regionGender), try builder.build(.funnel)
            )
        }
        let outcomes = Publication.publish(destination, as: .destination, view: view)
        let candidates = Publication.publish(people, as: .regionGender, view: view)
        let stages = Publication.publish(funnel, as: .funnel, view: view)
        func total(_ key: String) -> Count { outcomes.column(key).flatMap { outcomes.total?[$0] } ?? .exact(0) }
        return Summary(
            view: view.name, threshold: view == .exact ? nil : threshold, period: period,
            figures: [
                ("offers", Columns.offers.title, total("offers")),
                ("positions", Columns.positions.title, total("positions")),
                ("openPositions", Columns.openPositions.title, total("openPositions")),
                ("unmetPositions", Columns.unmetPositions.title, total("unmetPositions")),
                ("candidates", Columns.candidates.title, candidates.total?.last ?? .exact(0)),
                ("matches", Columns.matches.title, total("matches")),
                ("notificationsSent", Columns.notified.title, total("notificationsSent")),
                ("interested", Columns.interested.title, total("interested")),
                ("declined", Columns.declined.title, total("declined")),
                ("stop", Columns.stop.title, total("stop")),
            ],
            funnel: stages.rows.map { ($0.key, $0.label, $0.values[0]) })
    }
}

/// `GET /stats/summary`.
struct Summary: Encodable {
    var view: String
    var threshold: Int?
    var period: Period
    var figures: [(key: String, title: Words, value: Count)]
    var funnel: [(key: String, title: Words, value: Count)]

    private typealias Key = NamedKey

    /// A figure: its number, or its mark where the public view hides it.
    func shown(_ value: Count) -> String { value.text(threshold: threshold ?? 0) }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(view, forKey: Key("view"))
        try container.encodeIfPresent(threshold, forKey: Key("threshold"))
        try container.encode(period, forKey: Key("period"))
        for figure in figures { try encode(figure.value, figure.key, &container) }
        var stages = container.nestedContainer(keyedBy: Key.self, forKey: Key("funnel"))
        for stage in funnel { try encode(stage.value, stage.key, &stages) }
    }

    private func encode(_ value: Count, _ key: String, _ container: inout KeyedEncodingContainer<Key>) throws {
        if let number = value.number {
            try container.encode(number, forKey: Key(key))
        } else {
            try container.encode(shown(value), forKey: Key(key))
        }
    }

    var csvRows: [[String]] {
        [["indicateur", "libellé", "label", "valeur / value"]]
            + figures.map { [$0.key, $0.title.fr, $0.title.en, shown($0.value)] }
            + funnel.map { ["funnel.\($0.key)", $0.title.fr, $0.title.en, shown($0.value)] }
    }
}
