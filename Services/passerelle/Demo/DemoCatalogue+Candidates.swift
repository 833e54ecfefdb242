extension DemoCatalogue {
    /// Mali's 20 regions with weights roughly proportional to population (RGPH 2022,
    /// millions of inhabitants, new regions carved out of their former ones).
    static let regions: [(String, Double)] = [
        ("ML-BKO", 4.2), ("ML-3", 2.0), ("ML-2", 2.3), ("ML-4", 2.0), ("ML-1", 1.6),
        ("ML-5", 1.3), ("ML-KOUTIALA", 1.0), ("ML-BOUGOUNI", 0.9), ("ML-SAN", 0.7), ("ML-KITA", 0.6),
        ("ML-DIOILA", 0.6), ("ML-BANDIAGARA", 0.5), ("ML-NIORO", 0.4), ("ML-6", 0.5), ("ML-7", 0.45),
        ("ML-DOUENTZA", 0.3), ("ML-NARA", 0.3), ("ML-9", 0.12), ("ML-8", 0.1), ("ML-10", 0.08),
    ]

    /// Share of candidates who live abroad.
    static let abroadShare = 0.15

    /// Where Malians abroad live, with their telephone numbering: country code, the first
    /// digits of a mobile number and how many digits follow.
    struct Residence: Sendable {
        let country: String
        let weight: Double
        let dialCode: String
        let mobilePrefixes: [String]
        let digits: Int
    }

    static let residencesAbroad: [Residence] = [
        Residence(country: "CI", weight: 30, dialCode: "225", mobilePrefixes: ["07", "05", "01"], digits: 8),
        Residence(country: "SN", weight: 14, dialCode: "221", mobilePrefixes: ["77", "78", "76"], digits: 7),
        Residence(country: "FR", weight: 18, dialCode: "33", mobilePrefixes: ["6", "7"], digits: 8),
        Residence(country: "GA", weight: 7, dialCode: "241", mobilePrefixes: ["6", "7"], digits: 7),
        Residence(country: "MR", weight: 8, dialCode: "222", mobilePrefixes: ["2", "3", "4"], digits: 7),
        Residence(country: "ES", weight: 7, dialCode: "34", mobilePrefixes: ["6"], digits: 8),
        Residence(country: "CG", weight: 5, dialCode: "242", mobilePrefixes: ["06", "05"], digits: 7),
        Residence(country: "GN", weight: 5, dialCode: "224", mobilePrefixes: ["62", "66"], digits: 7),
        Residence(country: "BF", weight: 4, dialCode: "226", mobilePrefixes: ["7", "6"], digits: 7),
        Residence(country: "US", weight: 2, dialCode: "1", mobilePrefixes: ["212", "718"], digits: 7),
    ]

    /// Mali: `+223`, then 8 digits starting 6, 7 or 9 (Orange, Moov, Telecel).
    static let mali = Residence(country: "ML", weight: 0, dialCode: "223", mobilePrefixes: ["6", "7", "9"], digits: 7)

    static let familyNames: [(String, Double)] = [
        ("Traoré", 10), ("Coulibaly", 10), ("Diarra", 8), ("Keïta", 7), ("Konaté", 5), ("Touré", 6),
        ("Sissoko", 4), ("Diallo", 7), ("Camara", 4), ("Dembélé", 5), ("Sangaré", 4), ("Kanté", 3),
        ("Maïga", 5), ("Cissé", 4), ("Doumbia", 4), ("Sidibé", 3), ("Koné", 5), ("Samaké", 3),
        ("Sylla", 2), ("Fofana", 2), ("Ba", 2), ("Bagayoko", 2), ("Dicko", 2), ("Guindo", 2), ("Togo", 1),
    ]

    static let womenNames = [
        "Aminata", "Fatoumata", "Mariam", "Awa", "Kadiatou", "Oumou", "Assitan", "Hawa", "Rokia", "Djeneba",
        "Salimata", "Nana", "Bintou", "Aïssata", "Kadidia", "Fanta", "Safiatou", "Korotoumou",
    ]

    static let menNames = [
        "Moussa", "Mamadou", "Ibrahim", "Seydou", "Bakary", "Adama", "Souleymane", "Modibo", "Boubacar",
        "Oumar", "Drissa", "Amadou", "Lassana", "Sékou", "Youssouf", "Issa", "Abdoulaye", "Tiémoko",
    ]

    /// Share of each ISCED level among candidates: mostly primary or none.
    static let educationLevels: [(Int, Double)] = [(0, 22), (1, 24), (2, 20), (3, 15), (4, 7), (5, 7), (6, 5)]
}
