/// Occupations and destination countries the demo data is drawn from.
enum DemoCatalogue {
    /// One occupation offered abroad: its ISCO-08 unit group and how offers for it look.
    struct Occupation: Sendable {
        let isco: String
        let titleFR: String
        let employerWords: [String]
        let skills: [String]
        /// Driving licence sets an offer may require (EU categories).
        let licences: [[String]]
        /// Minimum ISCED level offers ask for.
        let education: ClosedRange<Int>
        /// Pay relative to the destination's entry wage.
        let pay: Double
        let contracts: [String]
        let countries: [String]
        let offerWeight: Double
        /// How common the occupation is among candidates.
        let candidateWeight: Double
    }

    static let occupations: [Occupation] = [
        Occupation(
            isco: "9211", titleFR: "Ouvrier agricole saisonnier (récolte)",
            employerWords: ["Frutas", "Les Vergers", "Agrícola", "Green Harvest"],
            skills: ["récolte", "conditionnement", "taille", "irrigation"], licences: [], education: 0...1,
            pay: 1.0, contracts: ["seasonal"], countries: ["ES", "IT", "FR", "CA", "MA"], offerWeight: 10,
            candidateWeight: 18),
        Occupation(
            isco: "6111", titleFR: "Maraîcher qualifié", employerWords: ["Primeurs", "Huertas", "Agro", "Serres"],
            skills: ["maraîchage", "irrigation", "conduite de tracteur", "serres"], licences: [[], [], ["B"]],
            education: 0...2, pay: 1.1, contracts: ["seasonal", "fixed-term"],
            countries: ["ES", "FR", "IT", "CA", "MA"],
            offerWeight: 6, candidateWeight: 12),
        Occupation(
            isco: "7112", titleFR: "Maçon", employerWords: ["Bâtiments", "Constructions", "Build", "BTP"],
            skills: ["maçonnerie", "coffrage", "lecture de plans", "carrelage"], licences: [], education: 1...3,
            pay: 1.2, contracts: ["fixed-term", "permanent"],
            countries: ["FR", "BE", "QA", "SA", "AE", "CI", "SN", "GA"], offerWeight: 6, candidateWeight: 9),
        Occupation(
            isco: "7115", titleFR: "Charpentier-coffreur",
            employerWords: ["Charpentes", "Bois", "Build", "Structures"],
            skills: ["coffrage", "charpente", "lecture de plans"], licences: [], education: 1...3, pay: 1.25,
            contracts: ["fixed-term", "permanent"], countries: ["FR", "BE", "DE", "QA", "AE", "CA"], offerWeight: 4,
            candidateWeight: 4),
        Occupation(
            isco: "9313", titleFR: "Manœuvre du bâtiment", employerWords: ["Travaux", "Construction", "Contracting"],
            skills: ["manutention", "terrassement", "sécurité de chantier"], licences: [], education: 0...1, pay: 1.0,
            contracts: ["fixed-term", "seasonal"], countries: ["QA", "SA", "AE", "CI", "SN", "GA", "FR"],
            offerWeight: 7, candidateWeight: 14),
        Occupation(
            isco: "5120", titleFR: "Cuisinier", employerWords: ["Restaurant", "Hôtel", "Resort", "Traiteur"],
            skills: ["cuisine", "hygiène alimentaire", "pâtisserie"], licences: [], education: 1...3, pay: 1.15,
            contracts: ["fixed-term", "permanent", "seasonal"],
            countries: ["FR", "ES", "IT", "QA", "AE", "MA", "SN", "CI"],
            offerWeight: 5, candidateWeight: 5),
        Occupation(
            isco: "5131", titleFR: "Serveur / serveuse", employerWords: ["Hôtel", "Resort", "Brasserie", "Café"],
            skills: ["service en salle", "accueil", "caisse"], licences: [], education: 1...3, pay: 1.05,
            contracts: ["seasonal", "fixed-term"], countries: ["FR", "ES", "IT", "QA", "AE", "MA"], offerWeight: 4,
            candidateWeight: 5),
        Occupation(
            isco: "9412", titleFR: "Aide de cuisine", employerWords: ["Restauration", "Hôtel", "Catering"],
            skills: ["plonge", "préparation", "hygiène alimentaire"], licences: [], education: 0...1, pay: 1.0,
            contracts: ["seasonal", "fixed-term"], countries: ["FR", "ES", "QA", "SA", "AE"], offerWeight: 4,
            candidateWeight: 6),
        Occupation(
            isco: "5322", titleFR: "Aide à domicile / auxiliaire de vie", employerWords: ["Services", "Soins", "Care"],
            skills: ["aide à la personne", "premiers secours", "entretien"], licences: [[], ["B"]], education: 2...3,
            pay: 1.25, contracts: ["fixed-term", "permanent"], countries: ["FR", "BE", "CA", "DE", "IT"],
            offerWeight: 4, candidateWeight: 5),
        Occupation(
            isco: "3221", titleFR: "Infirmier / infirmière",
            employerWords: ["Clinique", "Hôpital", "Santé", "Medical"],
            skills: ["soins infirmiers", "premiers secours", "gériatrie"], licences: [], education: 5...6, pay: 1.8,
            contracts: ["permanent", "fixed-term"], countries: ["FR", "BE", "CA", "DE", "QA", "SA"], offerWeight: 3,
            candidateWeight: 2),
        Occupation(
            isco: "8322", titleFR: "Chauffeur-livreur", employerWords: ["Transports", "Logistique", "Express"],
            skills: ["livraison", "conduite défensive", "orientation"], licences: [["B"]], education: 1...2, pay: 1.2,
            contracts: ["fixed-term", "permanent"], countries: ["FR", "BE", "AE", "QA", "SA", "CA"], offerWeight: 4,
            candidateWeight: 6),
        Occupation(
            isco: "8332", titleFR: "Chauffeur poids lourd",
            employerWords: ["Transports", "Logistik", "Fret", "Haulage"],
            skills: ["conduite poids lourd", "arrimage", "chronotachygraphe"],
            licences: [["B", "C"], ["B", "C", "CE"]],
            education: 1...3, pay: 1.4, contracts: ["fixed-term", "permanent"],
            countries: ["DE", "FR", "BE", "CA", "AE", "SA"], offerWeight: 3, candidateWeight: 3),
        Occupation(
            isco: "7231", titleFR: "Mécanicien automobile", employerWords: ["Garage", "Auto", "Motors", "Service"],
            skills: ["diagnostic", "moteurs diesel", "freinage", "électricité automobile"], licences: [[], ["B"]],
            education: 2...4, pay: 1.35, contracts: ["fixed-term", "permanent", "apprenticeship"],
            countries: ["DE", "FR", "CA", "AE", "SA", "CI", "GA"], offerWeight: 3, candidateWeight: 4),
        Occupation(
            isco: "7411", titleFR: "Électricien du bâtiment", employerWords: ["Électricité", "Elektro", "Power"],
            skills: ["câblage", "tableaux électriques", "habilitation électrique"], licences: [], education: 2...4,
            pay: 1.4, contracts: ["fixed-term", "permanent", "apprenticeship"],
            countries: ["DE", "FR", "BE", "CA", "QA", "AE"], offerWeight: 3, candidateWeight: 3),
        Occupation(
            isco: "7212", titleFR: "Soudeur", employerWords: ["Métallerie", "Stahlbau", "Steel", "Industries"],
            skills: ["soudure à l’arc", "soudure TIG", "lecture de plans"], licences: [], education: 2...4, pay: 1.45,
            contracts: ["fixed-term", "permanent"], countries: ["DE", "CA", "QA", "SA", "AE", "GA"], offerWeight: 3,
            candidateWeight: 2),
        Occupation(
            isco: "2512", titleFR: "Développeur logiciel", employerWords: ["Digital", "Tech", "Software", "Numérique"],
            skills: ["Swift", "Java", "bases de données", "développement web"], licences: [], education: 5...6,
            pay: 2.6, contracts: ["permanent", "fixed-term"], countries: ["FR", "CA", "DE", "BE", "MA", "SN", "CI"],
            offerWeight: 2, candidateWeight: 1),
    ]

    /// A destination country: currency, entry wage and the language asked of workers.
    struct Country: Sendable {
        let code: String
        let currency: String
        let cities: [String]
        /// Entry wage per `period` in `currency`.
        let entryWage: Double
        let period: String
        /// Amounts are rounded to this.
        let rounding: Double
        /// Languages offers ask for, with the CEFR levels they may ask.
        let languages: [(code: String, levels: [String])]
        let legalForm: String
        let registrationPrefix: String
        let weight: Double
    }

    static let countries: [Country] = [
        Country(
            code: "FR", currency: "EUR", cities: ["Paris", "Lyon", "Marseille", "Bordeaux", "Perpignan", "Avignon"],
            entryWage: 1_800, period: "month", rounding: 10, languages: [("fr", ["A2", "B1", "B2"])],
            legalForm: "SAS", registrationPrefix: "SIREN ", weight: 12),
        Country(
            code: "ES", currency: "EUR", cities: ["Huelva", "Almería", "Murcia", "Lleida", "Madrid", "Barcelona"],
            entryWage: 1_350, period: "month", rounding: 10, languages: [("es", ["A1", "A2"])],
            legalForm: "S.L.", registrationPrefix: "CIF B", weight: 12),
        Country(
            code: "IT", currency: "EUR", cities: ["Foggia", "Latina", "Verona", "Milano", "Ragusa"],
            entryWage: 1_400, period: "month", rounding: 10, languages: [("it", ["A1", "A2"]), ("fr", ["A2"])],
            legalForm: "S.r.l.", registrationPrefix: "P.IVA ", weight: 6),
        Country(
            code: "DE", currency: "EUR", cities: ["Berlin", "Hamburg", "München", "Stuttgart", "Köln"],
            entryWage: 2_300, period: "month", rounding: 10, languages: [("de", ["A2", "B1"])],
            legalForm: "GmbH", registrationPrefix: "HRB ", weight: 6),
        Country(
            code: "BE", currency: "EUR", cities: ["Bruxelles", "Liège", "Charleroi", "Namur", "Mons"],
            entryWage: 2_000, period: "month", rounding: 10, languages: [("fr", ["B1", "B2"])],
            legalForm: "SRL", registrationPrefix: "BCE 0", weight: 4),
        Country(
            code: "CA", currency: "CAD", cities: ["Montréal", "Québec", "Sherbrooke", "Gatineau", "Trois-Rivières"],
            entryWage: 17.5, period: "hour", rounding: 0.25, languages: [("fr", ["B1", "B2"]), ("en", ["A2", "B1"])],
            legalForm: "Inc.", registrationPrefix: "NEQ 11", weight: 8),
        Country(
            code: "QA", currency: "QAR", cities: ["Doha", "Al Wakrah", "Lusail"],
            entryWage: 1_800, period: "month", rounding: 50, languages: [("en", ["A1", "A2"]), ("ar", ["A1"])],
            legalForm: "W.L.L.", registrationPrefix: "CR ", weight: 7),
        Country(
            code: "SA", currency: "SAR", cities: ["Riyad", "Djeddah", "Dammam"],
            entryWage: 1_800, period: "month", rounding: 50, languages: [("ar", ["A1", "A2"]), ("en", ["A2"])],
            legalForm: "Co. Ltd", registrationPrefix: "CR 10", weight: 6),
        Country(
            code: "AE", currency: "AED", cities: ["Dubaï", "Abou Dabi", "Charjah"],
            entryWage: 2_200, period: "month", rounding: 50, languages: [("en", ["A2", "B1"]), ("ar", ["A1"])],
            legalForm: "LLC", registrationPrefix: "TL ", weight: 7),
        Country(
            code: "MA", currency: "MAD", cities: ["Casablanca", "Tanger", "Agadir", "Rabat"],
            entryWage: 3_500, period: "month", rounding: 50, languages: [("fr", ["A2", "B1"]), ("ar", ["A2"])],
            legalForm: "SARL", registrationPrefix: "RC ", weight: 4),
        Country(
            code: "CI", currency: "XOF", cities: ["Abidjan", "Bouaké", "San-Pédro", "Yamoussoukro"],
            entryWage: 120_000, period: "month", rounding: 5_000, languages: [("fr", ["A2", "B1"])],
            legalForm: "SA", registrationPrefix: "RCCM CI-ABJ-", weight: 8),
        Country(
            code: "SN", currency: "XOF", cities: ["Dakar", "Thiès", "Saint-Louis", "Mbour"],
            entryWage: 110_000, period: "month", rounding: 5_000, languages: [("fr", ["A2", "B1"])],
            legalForm: "SA", registrationPrefix: "RCCM SN-DKR-", weight: 6),
        Country(
            code: "GA", currency: "XAF", cities: ["Libreville", "Port-Gentil", "Franceville"],
            entryWage: 200_000, period: "month", rounding: 5_000, languages: [("fr", ["A2", "B1"])],
            legalForm: "SA", registrationPrefix: "RCCM GA-LBV-", weight: 4),
    ]

    static let countryByCode = Dictionary(uniqueKeysWithValues: countries.map { ($0.code, $0) })
}
