import CodeLists
import Messages

/// A title or label in French (first) and English.
struct Words: Codable, Sendable, Equatable {
    var fr: String
    var en: String
    init(_ fr: String, _ en: String) { (self.fr, self.en) = (fr, en) }
}

/// What officers and the public read for each code the tables use.
enum Labels {
    static let noOffer = Words("(sans offre)", "(no offer)")
    static let unknown = Words("(non renseigné)", "(not given)")

    static func country(_ code: String) -> Words {
        guard !code.isEmpty else { return noOffer }
        guard let entry = CodeLists.countries[code] else { return Words(code, code) }
        return Words(entry.nameFR, entry.nameEN)
    }

    static func region(_ code: String) -> Words {
        guard let entry = CodeLists.maliRegions[code] else { return code.isEmpty ? unknown : Words(code, code) }
        return Words(entry.nameFR, entry.nameEN)
    }

    /// An ISCO-08 group (major: 1 digit, sub-major: 2 digits).
    static func trade(_ code: String) -> Words {
        guard !code.isEmpty else { return noOffer }
        guard let group = CodeLists.isco[code] else { return Words(code, code) }
        return Words(group.titleFR, group.titleEN)
    }

    static func education(_ code: String) -> Words {
        guard let entry = CodeLists.iscedLevels[code] else { return Words(code, code) }
        return Words(entry.nameFR, entry.nameEN)
    }

    static func language(_ code: String) -> Words {
        guard let entry = CodeLists.languages[code] else { return Words(code, code) }
        return Words(entry.nameFR, entry.nameEN)
    }

    static func gender(_ code: String) -> Words {
        switch code {
        case Gender.female.rawValue: Words("Femmes", "Women")
        case Gender.male.rawValue: Words("Hommes", "Men")
        case Gender.unspecified.rawValue: Words("Autre ou non précisé", "Other or not given")
        default: unknown
        }
    }

    static func contract(_ code: String) -> Words {
        switch code {
        case "seasonal": Words("Saisonnier", "Seasonal")
        case "fixed-term": Words("Durée déterminée", "Fixed-term")
        case "permanent": Words("Durée indéterminée", "Permanent")
        case "apprenticeship": Words("Apprentissage", "Apprenticeship")
        default: Words(code, code)
        }
    }

    static func age(_ band: String) -> Words { Words("\(band) ans", "\(band) years") }

    static func stage(_ stage: FunnelStage) -> Words {
        switch stage {
        case .registered: Words("Inscrits", "Registered")
        case .matched: Words("Mis en relation", "Matched")
        case .notified: Words("Prévenus par SMS", "Notified")
        case .interested: Words("Intéressés (OUI)", "Interested (YES)")
        }
    }

    static let months = [
        "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
        "novembre", "décembre",
    ]
    static let monthsEN = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
        "November", "December",
    ]

    /// `2027-03` → « mars 2027 ».
    static func month(_ code: String) -> Words {
        let parts = code.split(separator: "-")
        guard parts.count == 2, let year = Int(parts[0]), let month = Int(parts[1]), (1...12).contains(month) else {
            return Words(code, code)
        }
        return Words("\(months[month - 1]) \(year)", "\(monthsEN[month - 1]) \(year)")
    }
}
