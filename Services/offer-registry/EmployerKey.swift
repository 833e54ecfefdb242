import Foundation
import Messages
import ServiceKit

/// The employer as the duplicate check compares it, so that a copy of an offer cannot slip
/// past the check by writing the same employer differently: "ＡＣＭＥ  ltd" (fullwidth),
/// "AСME Ltd" (a Cyrillic С), "AC\u{200B}ME Ltd" (a zero-width space) are all "acme ltd".
enum EmployerKey {
    /// The registration and the name, each normalised, separated by "|".
    static func of(_ employer: Employer) -> String {
        "\(normalised(employer.registration))|\(normalised(employer.name))"
    }

    /// NFKC (fullwidth and other compatibility forms to plain ones), invisible characters
    /// removed, case and accents folded, look-alike letters folded to Latin, and runs of
    /// white space and punctuation made one space.
    static func normalised(_ text: String) -> String {
        let folded = text.precomposedStringWithCompatibilityMapping
            .unicodeScalars.filter { !invisible.contains($0.value) && !FieldCheck.bidiControls.contains($0.value) }
        let plain = String(String.UnicodeScalarView(folded))
            .folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
        var result = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in plain.unicodeScalars {
            let properties = scalar.properties
            // Soft hyphens and other invisible format characters vanish rather than split a word.
            if properties.generalCategory == .format { continue }
            if properties.isWhitespace || isPunctuation(properties.generalCategory) {
                pendingSpace = !result.isEmpty
                continue
            }
            if pendingSpace {
                result.append(" ")
                pendingSpace = false
            }
            result.append(latin[scalar] ?? scalar)
        }
        return String(result)
    }

    /// Zero-width characters: space, non-joiner, joiner, word joiner, and the BOM.
    static let invisible: Set<UInt32> = [0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF]

    private static func isPunctuation(_ category: Unicode.GeneralCategory) -> Bool {
        switch category {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
            .finalPunctuation, .otherPunctuation, .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol,
            .spaceSeparator, .lineSeparator, .paragraphSeparator, .control:
            true
        default:
            false
        }
    }

    /// Cyrillic and Greek letters that look like Latin ones, in lower case (the text is
    /// case-folded first), each with the Latin letter it passes for.
    static let latin: [Unicode.Scalar: Unicode.Scalar] = {
        let pairs: [(String, String)] = [
            // Cyrillic
            ("а", "a"), ("в", "b"), ("е", "e"), ("ё", "e"), ("к", "k"), ("м", "m"), ("н", "h"), ("о", "o"),
            ("р", "p"), ("с", "c"), ("т", "t"), ("у", "y"), ("х", "x"), ("ѕ", "s"), ("і", "i"), ("ї", "i"),
            ("ј", "j"), ("һ", "h"), ("ԁ", "d"), ("ԛ", "q"), ("ԝ", "w"), ("ү", "y"), ("ӏ", "l"), ("ь", "b"),
            ("ɡ", "g"),
            // Greek
            ("α", "a"), ("β", "b"), ("ε", "e"), ("ζ", "z"), ("η", "h"), ("ι", "i"), ("κ", "k"), ("μ", "m"),
            ("ν", "n"), ("ο", "o"), ("ρ", "p"), ("τ", "t"), ("υ", "y"), ("χ", "x"), ("ϲ", "c"), ("ϳ", "j"),
            // Latin letters that pass for others
            ("ı", "i"), ("ȷ", "j"), ("ℓ", "l"),
        ]
        var table: [Unicode.Scalar: Unicode.Scalar] = [:]
        for (from, to) in pairs { table[from.unicodeScalars.first!] = to.unicodeScalars.first! }
        return table
    }()
}
