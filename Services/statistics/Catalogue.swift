/// The tables the service publishes (`GET /stats` lists them), with their French and
/// English titles. Fixed tables: the public view offers these and nothing else.
enum Dimension: String, CaseIterable, Sendable {
    case destination
    case trade
    case tradeGroup = "trade-group"
    case contract
    case month
    case salary
    case region
    case gender
    case regionGender = "region-gender"
    case residence
    case age
    case occupation
    case education
    case language
    case funnel
    case unmetDemand = "unmet-demand"
    case supplyWithoutOffers = "supply-without-offers"

    var title: Words {
        switch self {
        case .destination: Words("Offres et suites par pays de destination", "Offers and outcomes by destination")
        case .trade: Words("Offres et suites par grand groupe de métiers", "Offers and outcomes by trade (major group)")
        case .tradeGroup: Words("Offres par sous-grand groupe de métiers", "Offers by trade (sub-major group)")
        case .contract: Words("Offres par type de contrat", "Offers by contract type")
        case .month: Words("Évolution mensuelle", "Month by month")
        case .salary: Words("Salaires médians par métier et destination", "Median salaries by trade and destination")
        case .region: Words("Candidats par région d’origine", "Candidates by region of origin")
        case .gender: Words("Candidats par sexe", "Candidates by gender")
        case .regionGender: Words("Candidats par région d’origine et sexe", "Candidates by region of origin and gender")
        case .residence: Words("Candidats par pays de résidence", "Candidates by country of residence")
        case .age: Words("Candidats par âge à l’inscription", "Candidates by age at registration")
        case .occupation: Words("Candidats par métier principal", "Candidates by main occupation")
        case .education: Words("Candidats par niveau d’études", "Candidates by education level")
        case .language: Words("Candidats par langue parlée", "Candidates by language spoken")
        case .funnel:
            Words("Parcours : inscrits, mis en relation, prévenus, intéressés", "Funnel: registered to interested")
        case .unmetDemand: Words("Demande non satisfaite", "Unmet demand")
        case .supplyWithoutOffers: Words("Candidats sans offre dans leur métier", "Supply without offers")
        }
    }

    /// Tables whose rows are finer than another table's and would give its hidden cells
    /// away by subtraction: the public sees them for offers only.
    var peopleOnlyForOfficers: Bool { self == .tradeGroup }
}

/// The columns the tables use.
enum Columns {
    static let offers = StatColumn(key: "offers", title: Words("Offres", "Offers"), people: false)
    static let positions = StatColumn(key: "positions", title: Words("Postes", "Positions"), people: false)
    static let openPositions = StatColumn(
        key: "openPositions", title: Words("Postes ouverts", "Open positions"), people: false)
    static let unmetPositions = StatColumn(
        key: "unmetPositions", title: Words("Postes sans bon candidat", "Positions without a good match"),
        people: false)
    static let matches = StatColumn(key: "matches", title: Words("Mises en relation", "Matches"), people: true)
    static let notified = StatColumn(
        key: "notificationsSent", title: Words("SMS envoyés", "Notifications sent"), people: true)
    static let interested = StatColumn(key: "interested", title: Words("Réponses OUI", "Interested"), people: true)
    static let declined = StatColumn(key: "declined", title: Words("Réponses NON", "Declined"), people: true)
    static let stop = StatColumn(key: "stop", title: Words("STOP", "Stop"), people: true)
    static let candidates = StatColumn(key: "candidates", title: Words("Candidats", "Candidates"), people: true)
    static let supply = StatColumn(
        key: "supply", title: Words("Candidats disponibles", "Available candidates"), people: true)
    static let salary = StatColumn(
        key: "medianMonthlySalary", title: Words("Salaire mensuel médian", "Median monthly salary"), people: false)

    /// The measures behind the outcome columns, in order.
    static let outcomes: [(Measure, StatColumn)] = [
        (.offers, offers), (.positions, positions), (.openPositions, openPositions),
        (.unmetPositions, unmetPositions), (.matches, matches), (.notificationsSent, notified),
        (.repliesInterested, interested), (.repliesDeclined, declined), (.repliesStop, stop),
    ]
}
