import CodeLists
import Foundation
import Messages
import Synchronization

/// The parts of a candidate the rules read, in compact form: codes as small integers, so
/// that scoring a million candidates touches little memory and compares numbers, not strings.
public struct CandidateFeatures: Sendable, Equatable {
    public let id: String
    /// ISCO-08 unit groups as numbers (`"7112"` → 7112, `"0110"` → 110).
    public let occupations: [Int16]
    /// (ISO 639-1 code as `Codes.pair`, CEFR level 1…6).
    public let languages: [LanguageLevel]
    public let education: Int8
    public let experienceYears: Int16
    /// ISO countries as `Codes.pair`; empty means anywhere.
    public let destinations: [UInt16]
    /// Days since 1970-01-01.
    public let availableFrom: Int32
    /// Skills as ids of `Codes.skill` (normalised: case, accents and spacing ignored), sorted.
    public let skills: [Int32]
    /// Driving licence categories as a bit set (`Codes.licenceBits`).
    public let licences: UInt32
    /// Registration time in milliseconds: earlier registration ranks first among equal scores.
    public let registeredAt: Int64

    public init(_ profile: CandidateProfile) {
        id = profile.id
        occupations = profile.occupations.compactMap(Codes.isco)
        languages = profile.languages.compactMap { language in
            Codes.pair(language.code).map { LanguageLevel(code: $0, level: Int8(language.level.rank)) }
        }
        education = Int8(clamping: profile.education)
        experienceYears = Int16(clamping: profile.experienceYears)
        destinations = profile.destinations.compactMap(Codes.pair)
        availableFrom = Int32(profile.availableFrom.daysSinceEpoch)
        skills = Array(Set(profile.skills.map(Codes.skill))).sorted()
        licences = Codes.licenceBits(profile.drivingLicences)
        registeredAt = profile.registeredAt?.millisecondsSinceEpoch ?? 0
    }

    /// Whether the candidate would go to `country` (no stated destination means anywhere).
    @inline(__always)
    public func accepts(country: UInt16) -> Bool { destinations.isEmpty || destinations.contains(country) }
}

/// The parts of an offer the rules read, in the same compact form.
public struct OfferFeatures: Sendable, Equatable {
    public let id: String
    public let occupation: Int16
    public let country: UInt16
    public let positions: Int
    public let languages: [LanguageLevel]
    public let education: Int8
    public let experienceYears: Int16
    public let startDate: Int32
    /// Skills asked, as ids of `Codes.skill`, each once.
    public let skills: [Int32]
    public let licences: UInt32

    public init(_ offer: Offer) {
        id = offer.id
        occupation = Codes.isco(offer.occupation) ?? 0
        country = Codes.pair(offer.country) ?? 0
        positions = offer.positions
        languages = offer.requirements.languages.compactMap { language in
            Codes.pair(language.code).map { LanguageLevel(code: $0, level: Int8(language.level.rank)) }
        }
        education = Int8(clamping: offer.requirements.education)
        experienceYears = Int16(clamping: offer.requirements.experienceYears)
        startDate = Int32(offer.startDate.daysSinceEpoch)
        skills = Array(Set(offer.requirements.skills.map(Codes.skill))).sorted()
        licences = Codes.licenceBits(offer.requirements.drivingLicences)
    }
}

public struct LanguageLevel: Sendable, Equatable, Hashable {
    public let code: UInt16
    /// CEFR A1 = 1 … C2 = 6.
    public let level: Int8
}

/// Conversions between the codes of the records and the numbers the index uses.
public enum Codes {
    /// A two-letter code (`FR`, `fr`) as a number; nil if it is not two ASCII letters.
    public static func pair(_ code: String) -> UInt16? {
        let bytes = Array(code.utf8)
        guard bytes.count == 2, let first = letter(bytes[0]), let second = letter(bytes[1]) else { return nil }
        return UInt16(first) * 26 + UInt16(second) + 1
    }

    /// The two-letter code back from `pair`, upper case.
    public static func unpair(_ value: UInt16) -> String {
        guard value > 0 else { return "" }
        let index = value - 1
        return String(decoding: [UInt8(index / 26) + 65, UInt8(index % 26) + 65], as: UTF8.self)
    }

    private static func letter(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 65...90: byte - 65
        case 97...122: byte - 97
        default: nil
        }
    }

    /// An ISCO-08 unit group as a number (4 digits; leading zeros allowed).
    public static func isco(_ code: String) -> Int16? {
        guard code.utf8.count == 4, code.utf8.allSatisfy({ (48...57).contains($0) }) else { return nil }
        return Int16(code)
    }

    /// The unit group's code as ISCO writes it (4 digits).
    public static func iscoCode(_ value: Int16) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// The categories in bit order (`CodeLists.drivingLicences`).
    public static let licenceCategories = CodeLists.drivingLicences

    public static func licenceBits(_ licences: [String]) -> UInt32 {
        var bits: UInt32 = 0
        for licence in licences {
            if let index = licenceCategories.firstIndex(of: licence) { bits |= 1 << UInt32(index) }
        }
        return bits
    }

    public static func licences(_ bits: UInt32) -> [String] {
        licenceCategories.enumerated().filter { bits & (1 << UInt32($0.offset)) != 0 }.map(\.element)
    }

    /// The id of a skill (after normalisation), the same for the whole process.
    public static func skill(_ text: String) -> Int32 {
        let normalised = normalisedSkill(text)
        return skillVocabulary.withLock { vocabulary in
            if let id = vocabulary.ids[normalised] { return id }
            let id = Int32(vocabulary.names.count)
            vocabulary.ids[normalised] = id
            vocabulary.names.append(normalised)
            return id
        }
    }

    /// The normalised text of a skill id.
    public static func skillName(_ id: Int32) -> String {
        skillVocabulary.withLock { $0.names.indices.contains(Int(id)) ? $0.names[Int(id)] : "?" }
    }

    private static let skillVocabulary = Mutex<(ids: [String: Int32], names: [String])>(([:], []))

    public static func normalisedSkill(_ skill: String) -> String {
        skill.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
            .split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
