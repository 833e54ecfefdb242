/// A closed list of string values on the wire (`contract`, `status`, CEFR `level`, …).
///
/// Conforming enums decode with an error that lists the accepted values, so that a bad
/// message or request reads as `invalid field 'payload.contract': "temp" is not one of
/// seasonal, fixed-term, permanent, apprenticeship`.
public protocol WireEnum: RawRepresentable<String>, CaseIterable, Hashable, Sendable, Codable {}

extension WireEnum {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        guard let value = Self(rawValue: raw) else {
            let accepted = Self.allCases.map(\.rawValue).joined(separator: ", ")
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "\"\(raw)\" is not one of \(accepted)")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// Kind of employment contract of an offer.
public enum ContractType: String, WireEnum {
    case seasonal
    case fixedTerm = "fixed-term"
    case permanent
    case apprenticeship
}

/// The period a salary amount is paid for.
public enum SalaryPeriod: String, WireEnum {
    case hour, month, year
}

/// Where an offer is in its life: `pending` review by an officer, `open`, `closed`.
public enum OfferStatus: String, WireEnum {
    case pending, open, closed
}

/// A level of the Common European Framework of Reference for Languages, ordered A1 < C2.
public enum CEFRLevel: String, WireEnum, Comparable {
    case a1 = "A1", a2 = "A2", b1 = "B1", b2 = "B2", c1 = "C1", c2 = "C2"

    public static func < (lhs: CEFRLevel, rhs: CEFRLevel) -> Bool {
        lhs.rank < rhs.rank
    }

    /// A1 = 1 … C2 = 6.
    public var rank: Int {
        switch self {
        case .a1: 1
        case .a2: 2
        case .b1: 3
        case .b2: 4
        case .c1: 5
        case .c2: 6
        }
    }
}

/// A candidate's gender as declared: `F`, `M`, or `X` (other or not said).
public enum Gender: String, WireEnum {
    case female = "F", male = "M", unspecified = "X"
}

/// How a candidate wants to be reached.
public enum PreferredChannel: String, WireEnum {
    case sms, email, none
}

/// The language a candidate wants messages in: French, English or Bambara.
public enum MessageLanguage: String, WireEnum {
    case fr, en, bm
}
