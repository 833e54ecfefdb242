import GRDB

/// Builds each table from `cells` for a period, exact; ``Publication`` then hides what the
/// public may not see.
struct TableBuilder {
    let db: Database
    let period: Period

    func build(_ dimension: Dimension) throws -> StatTable {
        switch dimension {
        case .destination:
            return try outcomes(dimension, rowTitle: Words("Pays de destination", "Destination"), key: { $0.k1 }) {
                Labels.country($0)
            }
        case .trade:
            return try outcomes(dimension, rowTitle: Words("Grand groupe (CITP-08)", "Major group (ISCO-08)")) {
                String($0.k2.prefix(1))
            } label: {
                Labels.trade($0)
            }
        case .tradeGroup:
            return try outcomes(dimension, rowTitle: Words("Sous-grand groupe (CITP-08)", "Sub-major group (ISCO-08)"))
            {
                $0.k2
            } label: {
                Labels.trade($0)
            }
        case .contract:
            return try simple(
                dimension, rowTitle: Words("Type de contrat", "Contract type"), [(.offersByContract, Columns.offers)],
                label: Labels.contract)
        case .month: return try monthly()
        case .salary: return try SalaryTable(db: db, period: period).build()
        case .region, .gender, .regionGender: return try regionGender()
        case .residence:
            return try simple(
                dimension, rowTitle: Words("Pays de résidence", "Country of residence"),
                [(.candidatesByResidence, Columns.candidates)], label: Labels.country)
        case .age:
            return try simple(
                dimension, rowTitle: Words("Âge", "Age"), [(.candidatesByAge, Columns.candidates)], label: Labels.age,
                order: AgeBand.all)
        case .occupation:
            return try simple(
                dimension, rowTitle: Words("Grand groupe (CITP-08)", "Major group (ISCO-08)"),
                [(.candidatesByOccupation, Columns.candidates), (.supply, Columns.supply)], label: Labels.trade
            ) { String($0.k1.prefix(1)) }
        case .education:
            return try simple(
                dimension, rowTitle: Words("Niveau (CITE 2011)", "Level (ISCED 2011)"),
                [(.candidatesByEducation, Columns.candidates)], label: Labels.education,
                order: (0...8).map(String.init))
        case .language:
            var table = try simple(
                dimension, rowTitle: Words("Langue", "Language"), [(.candidatesByLanguage, Columns.candidates)],
                label: Labels.language)
            table.total = nil
            table.notes = [
                Words(
                    "Une personne compte une fois par langue parlée : les lignes ne s’additionnent pas.",
                    "A person counts once per language spoken: rows do not add up.")
            ]
            return table
        case .funnel: return try funnel()
        case .unmetDemand: return try unmetDemand()
        case .supplyWithoutOffers: return try supplyWithoutOffers()
        }
    }

    /// Sums of `measure` over the period, regrouped by `key` (nil drops the cell).
    func sums(_ measure: Measure, by key: (Cell.Key) -> String?) throws -> [String: Int] {
        var grouped: [String: Int] = [:]
        for (cell, n) in try StatisticsStore.sums(measure, from: period.from, to: period.to, db) {
            if let key = key(cell) { grouped[key, default: 0] += n }
        }
        return grouped
    }

    /// Rows of several measures by one category, largest first (or in `order`).
    func simple(
        _ dimension: Dimension, rowTitle: Words, _ measures: [(Measure, StatColumn)], label: (String) -> Words,
        order: [String]? = nil, key: (Cell.Key) -> String? = { $0.k1 }
    ) throws -> StatTable {
        let columns = try measures.map { try sums($0.0, by: key) }
        var keys = Set(columns.flatMap(\.keys))
        keys = keys.filter { key in columns.contains { ($0[key] ?? 0) != 0 } }
        let ordered: [String] =
            if let order { order.filter(keys.contains) + keys.subtracting(order).sorted() } else {
                keys.sorted { (columns[0][$0] ?? 0, $1) > (columns[0][$1] ?? 0, $0) }
            }
        let rows = ordered.map { key in
            StatRow(key: key, label: label(key), values: columns.map { .exact($0[key] ?? 0) })
        }
        let total: [Count] = columns.map { .exact($0.values.reduce(0, +)) }
        return StatTable(
            dimension: dimension.rawValue, title: dimension.title, rowTitle: rowTitle, columns: measures.map(\.1),
            rows: rows, total: total)
    }

    private func outcomes(
        _ dimension: Dimension, rowTitle: Words, key: (Cell.Key) -> String, label: (String) -> Words
    ) throws -> StatTable {
        try simple(dimension, rowTitle: rowTitle, Columns.outcomes, label: label, key: key)
    }

    private func monthly() throws -> StatTable {
        let measures: [(Measure, StatColumn)] = [
            (.offers, Columns.offers), (.positions, Columns.positions), (.candidates, Columns.candidates),
            (.matches, Columns.matches), (.notificationsSent, Columns.notified),
            (.repliesInterested, Columns.interested),
        ]
        let columns = try measures.map { try StatisticsStore.monthly($0.0, from: period.from, to: period.to, db) }
        let months = Set(columns.flatMap(\.keys)).sorted()
        return StatTable(
            dimension: Dimension.month.rawValue, title: Dimension.month.title, rowTitle: Words("Mois", "Month"),
            columns: measures.map(\.1),
            rows: months.map { month in
                StatRow(key: month, label: Labels.month(month), values: columns.map { .exact($0[month] ?? 0) })
            },
            total: columns.map { .exact($0.values.reduce(0, +)) })
    }

    /// Region × gender: the one two-way table of people; `region` and `gender` are its margins.
    func regionGender() throws -> StatTable {
        let cells = try StatisticsStore.sums(.candidates, from: period.from, to: period.to, db)
        let genders = ["F", "M", "X"]
        let regions = Set(cells.keys.map(\.k1)).sorted { Labels.region($0).fr < Labels.region($1).fr }
        let columns =
            genders.map { StatColumn(key: $0, title: Labels.gender($0), people: true) } + [
                StatColumn(key: "total", title: Words("Total", "Total"), people: true)
            ]
        let rows = regions.map { region in
            let values = genders.map { cells[Cell.Key(k1: region, k2: $0)] ?? 0 }
            return StatRow(
                key: region, label: Labels.region(region), values: (values + [values.reduce(0, +)]).map(Count.exact))
        }
        let total = (0..<4).map { column in Count.exact(rows.reduce(0) { $0 + ($1.values[column].number ?? 0) }) }
        return StatTable(
            dimension: Dimension.regionGender.rawValue, title: Dimension.regionGender.title,
            rowTitle: Words("Région d’origine", "Region of origin"), columns: columns, rows: rows, total: total)
    }

    private func funnel() throws -> StatTable {
        let sums = try self.sums(.funnel) { $0.k1 }
        return StatTable(
            dimension: Dimension.funnel.rawValue, title: Dimension.funnel.title, rowTitle: Words("Étape", "Stage"),
            columns: [Columns.candidates],
            rows: FunnelStage.allCases.map {
                StatRow(key: $0.rawValue, label: Labels.stage($0), values: [.exact(sums[$0.rawValue] ?? 0)])
            },
            total: nil,
            notes: [
                Words(
                    "Chaque étape compte les personnes de l’étape précédente qui l’ont atteinte, par mois d’inscription.",
                    "Each stage counts the people of the stage before who reached it, by month of registration.")
            ])
    }

    /// Open positions and those without a good match, by trade (sub-major group) and destination.
    private func unmetDemand() throws -> StatTable {
        let open = try sums(.openPositions) { "\($0.k2) \($0.k1)" }
        let unmet = try sums(.unmetPositions) { "\($0.k2) \($0.k1)" }
        let keys = Set(open.keys).union(unmet.keys).sorted {
            ((unmet[$0] ?? 0), $1) > ((unmet[$1] ?? 0), $0)
        }
        let rows = keys.map { key -> StatRow in
            let parts = key.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            let trade = Labels.trade(parts[0])
            let country = Labels.country(parts.count > 1 ? parts[1] : "")
            return StatRow(
                key: key, label: Words("\(trade.fr) — \(country.fr)", "\(trade.en) — \(country.en)"),
                values: [.exact(open[key] ?? 0), .exact(unmet[key] ?? 0)])
        }
        return StatTable(
            dimension: Dimension.unmetDemand.rawValue, title: Dimension.unmetDemand.title,
            rowTitle: Words("Métier — destination", "Trade — destination"),
            columns: [Columns.openPositions, Columns.unmetPositions], rows: rows,
            total: [.exact(open.values.reduce(0, +)), .exact(unmet.values.reduce(0, +))])
    }

    /// Available candidates by trade (major group) against open positions in that trade.
    private func supplyWithoutOffers() throws -> StatTable {
        let supply = try sums(.supply) { String($0.k1.prefix(1)) }
        let open = try sums(.openPositions) { String($0.k2.prefix(1)) }
        let keys = supply.keys.filter { (supply[$0] ?? 0) > 0 }.sorted {
            ((open[$0] ?? 0) == 0 ? 1 : 0, supply[$0] ?? 0, $1) > ((open[$1] ?? 0) == 0 ? 1 : 0, supply[$1] ?? 0, $0)
        }
        return StatTable(
            dimension: Dimension.supplyWithoutOffers.rawValue, title: Dimension.supplyWithoutOffers.title,
            rowTitle: Words("Grand groupe (CITP-08)", "Major group (ISCO-08)"),
            columns: [Columns.supply, Columns.openPositions],
            rows: keys.map {
                StatRow(key: $0, label: Labels.trade($0), values: [.exact(supply[$0] ?? 0), .exact(open[$0] ?? 0)])
            },
            total: [.exact(supply.values.reduce(0, +)), .exact(open.values.reduce(0, +))],
            notes: [
                Words(
                    "En tête : les métiers où des candidats attendent sans aucun poste ouvert.",
                    "First: trades where candidates wait with no open position at all.")
            ])
    }
}
