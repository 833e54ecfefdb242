import CodeLists
import Foundation
import Messages

/// Checks of the fields registries share, each failing with a 422 that names the field and
/// says, in French and English, what is expected.
public enum FieldCheck {
    /// Driving licence categories (`CodeLists.drivingLicences`).
    public static let drivingLicences = Set(CodeLists.drivingLicences)

    public static func text(_ value: String, _ field: String, max: Int) throws(APIError) {
        let trimmed = value.trimmed
        if trimmed.isEmpty {
            throw .invalid(field, french: "ne peut pas être vide", english: "must not be empty")
        }
        if trimmed.count > max {
            throw .invalid(field, french: "\(max) caractères au plus", english: "at most \(max) characters")
        }
        if value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw .invalid(
                field, french: "contient des caractères de contrôle", english: "contains control characters")
        }
        if value.unicodeScalars.contains(where: { bidiControls.contains($0.value) }) {
            throw .invalid(
                field, french: "contient des caractères de contrôle bidirectionnel (U+202E…)",
                english: "contains bidirectional control characters (U+202E…)")
        }
    }

    /// Unicode bidirectional controls: invisible, they reorder what a reader sees, so a name
    /// or a title can display as something else than what is stored and compared
    /// ("Trojan Source"). Marks (LRM, RLM, ALM), embeddings and overrides (LRE…RLO), isolates (LRI…PDI).
    public static let bidiControls: Set<UInt32> = [
        0x061C, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E,
        0x2066, 0x2067, 0x2068, 0x2069,
    ]

    public static func list(_ values: [String], _ field: String, maxItems: Int, maxLength: Int) throws(APIError) {
        if values.count > maxItems {
            throw .invalid(field, french: "\(maxItems) éléments au plus", english: "at most \(maxItems) items")
        }
        for (index, value) in values.enumerated() { try text(value, "\(field)[\(index)]", max: maxLength) }
    }

    public static func country(_ code: String, _ field: String) throws(APIError) {
        guard CodeLists.countries.contains(code) else {
            throw .invalid(
                field, french: "« \(code) » n’est pas un code pays ISO 3166-1 alpha-2 (ex. FR, ES, CA)",
                english: "'\(code)' is not an ISO 3166-1 alpha-2 country code (e.g. FR, ES, CA)")
        }
    }

    public static func currency(_ code: String, _ field: String) throws(APIError) {
        guard CodeLists.currencies.contains(code) else {
            throw .invalid(
                field, french: "« \(code) » n’est pas une monnaie ISO 4217 (ex. EUR, XOF)",
                english: "'\(code)' is not an ISO 4217 currency (e.g. EUR, XOF)")
        }
    }

    public static func education(_ level: Int, _ field: String) throws(APIError) {
        guard (0...8).contains(level) else {
            throw .invalid(
                field, french: "niveau CITE 2011 de 0 à 8 attendu", english: "expected an ISCED 2011 level from 0 to 8")
        }
    }

    public static func languages(_ languages: [LanguageRequirement], _ field: String) throws(APIError) {
        var seen: Set<String> = []
        for (index, language) in languages.enumerated() {
            guard CodeLists.languages.contains(language.code) else {
                throw .invalid(
                    "\(field)[\(index)].code",
                    french: "« \(language.code) » n’est pas un code de langue ISO 639-1 (ex. fr, en, bm)",
                    english: "'\(language.code)' is not an ISO 639-1 language code (e.g. fr, en, bm)")
            }
            guard seen.insert(language.code).inserted else {
                throw .invalid(
                    "\(field)[\(index)].code", french: "langue « \(language.code) » en double",
                    english: "language '\(language.code)' given twice")
            }
        }
        if languages.count > 20 {
            throw .invalid(field, french: "20 langues au plus", english: "at most 20 languages")
        }
    }

    public static func drivingLicences(_ licences: [String], _ field: String) throws(APIError) {
        for (index, licence) in licences.enumerated() where !drivingLicences.contains(licence) {
            throw .invalid(
                "\(field)[\(index)]",
                french:
                    "« \(licence) » n’est pas une catégorie de permis (\(drivingLicences.sorted().joined(separator: ", ")))",
                english: "'\(licence)' is not a driving licence category")
        }
    }

    /// A record id chosen by the client: 1 to 64 letters, digits and `._:-`, not starting with a sign.
    public static func identifier(_ id: String, _ field: String) throws(APIError) {
        let allowed = id.utf8.allSatisfy { byte in
            (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte)
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":")
                || byte == UInt8(ascii: "-")
        }
        let first = id.utf8.first ?? 0
        guard (1...64).contains(id.utf8.count), allowed, first != UInt8(ascii: "."), first != UInt8(ascii: "-") else {
            throw .invalid(
                field, french: "1 à 64 lettres, chiffres ou « . _ : - »",
                english: "1 to 64 letters, digits or '. _ : -'")
        }
    }
}

extension String {
    /// Without leading and trailing white space.
    public var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
