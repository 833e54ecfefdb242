import CSV

/// The code lists that Passerelle validates against, with French and English names for what
/// officers read. Sources and terms are in `Data/README.md`; the tables are embedded in the
/// binary (see `generate-tables.sh`), so every executable carries the same lists.
public enum CodeLists {
    /// ISCO-08: 10 major, 43 sub-major, 130 minor and 436 unit groups (ILO; French titles from ESCO).
    public static let isco = ISCO08(rows: rows(isco08CSV))

    /// ISO 3166-1 alpha-2 countries (249), from Debian iso-codes.
    public static let countries = CodeList(name: "ISO 3166-1 alpha-2", rows: rows(countriesCSV))

    /// ISO 4217 currencies for wages: funds, precious metals and testing codes left out.
    public static let currencies = CodeList(name: "ISO 4217", rows: rows(currenciesCSV))

    /// ISO 639-1 languages (184).
    public static let languages = CodeList(name: "ISO 639-1", rows: rows(languagesCSV))

    /// Mali's district and 19 regions: ISO 3166-2:ML codes, and project codes for the regions
    /// ISO has not coded yet (`ML-KITA`).
    public static let maliRegions = CodeList(
        name: "ISO 3166-2:ML", rows: rows(maliRegionsCSV).map { [$0[0], $0[1], $0[1]] })

    /// ISCED 2011 levels of education, 0 to 8 (UNESCO's English and French names).
    public static let iscedLevels = CodeList(
        name: "ISCED 2011",
        rows: [
            ["0", "Early childhood education", "Éducation de la petite enfance"],
            ["1", "Primary education", "Enseignement primaire"],
            ["2", "Lower secondary education", "Premier cycle de l’enseignement secondaire"],
            ["3", "Upper secondary education", "Deuxième cycle de l’enseignement secondaire"],
            ["4", "Post-secondary non-tertiary education", "Enseignement post-secondaire non supérieur"],
            ["5", "Short-cycle tertiary education", "Enseignement supérieur de cycle court"],
            ["6", "Bachelor’s or equivalent level", "Niveau licence ou équivalent"],
            ["7", "Master’s or equivalent level", "Niveau master ou équivalent"],
            ["8", "Doctoral or equivalent level", "Niveau doctorat ou équivalent"],
        ])

    /// Driving licence categories: the EU's (directive 2006/126/EC), which partners use, plus
    /// E and F of Mali's older permits. The order is fixed: matching numbers them by position.
    public static let drivingLicences = [
        "AM", "A1", "A2", "A", "B1", "B", "BE", "C1", "C1E", "C", "CE", "D1", "D1E", "D", "DE", "E", "F",
    ]

    /// The data rows of an embedded table (its header left out).
    static func rows(_ text: String) -> [[String]] {
        // The tables are compiled in and checked by tests, so a failure here is a build defect.
        guard let reader = try? CSVReader(string: text, hasHeaderRow: true) else {
            preconditionFailure("an embedded code list is not valid CSV")
        }
        var rows: [[String]] = []
        while let row = reader.next() { rows.append(row) }
        return rows
    }
}

/// One code of a list, with its names.
public struct CodeEntry: Sendable, Hashable {
    public let code: String
    public let nameEN: String
    public let nameFR: String
}

/// A closed list of codes: membership and names.
public struct CodeList: Sendable {
    /// The standard the list follows, named in error messages ("ISO 3166-1 alpha-2").
    public let name: String
    public let entries: [CodeEntry]
    private let index: [String: Int]

    init(name: String, rows: [[String]]) {
        self.name = name
        entries = rows.map { CodeEntry(code: $0[0], nameEN: $0[1], nameFR: $0[2]) }
        index = Dictionary(uniqueKeysWithValues: entries.enumerated().map { ($0.element.code, $0.offset) })
    }

    public func contains(_ code: String) -> Bool { index[code] != nil }

    public subscript(code: String) -> CodeEntry? { index[code].map { entries[$0] } }
}

/// One group of ISCO-08 at any of its four levels.
public struct ISCOGroup: Sendable, Hashable {
    /// 1 to 4 digits; the length is the level (major 1, sub-major 2, minor 3, unit 4).
    public let code: String
    public let titleEN: String
    public let titleFR: String

    public var level: Int { code.count }
}

/// The ISCO-08 structure: codes nest by prefix (`7` ⊃ `71` ⊃ `712` ⊃ `7126`).
public struct ISCO08: Sendable {
    public let groups: [ISCOGroup]
    private let index: [String: Int]

    init(rows: [[String]]) {
        groups = rows.map { ISCOGroup(code: $0[0], titleEN: $0[2], titleFR: $0[3]) }
        index = Dictionary(uniqueKeysWithValues: groups.enumerated().map { ($0.element.code, $0.offset) })
    }

    public subscript(code: String) -> ISCOGroup? { index[code].map { groups[$0] } }

    /// Whether `code` is one of the 436 unit groups (4 digits), the level offers and
    /// candidates are coded at.
    public func isUnitGroup(_ code: String) -> Bool { code.count == 4 && index[code] != nil }

    public var unitGroups: [ISCOGroup] { groups.filter { $0.level == 4 } }

    /// The group of `code` at `level` (its prefix), e.g. the minor group of `7126` is `712`.
    public func ancestor(of code: String, level: Int) -> ISCOGroup? {
        guard level >= 1, level <= code.count else { return nil }
        return self[String(code.prefix(level))]
    }
}

/// Telephone numbers in E.164 form: `+`, a country code not starting with 0, at most 15 digits.
public enum E164 {
    public static func isValid(_ number: String) -> Bool {
        let utf8 = Array(number.utf8)
        guard utf8.count >= 8, utf8.count <= 16, utf8.first == UInt8(ascii: "+") else { return false }
        let digits = utf8.dropFirst()
        return digits.first != UInt8(ascii: "0") && digits.allSatisfy { $0 >= 48 && $0 <= 57 }
    }
}
