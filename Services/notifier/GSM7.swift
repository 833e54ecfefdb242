import Foundation

/// The GSM 03.38 default alphabet, what every basic phone shows: text outside it turns into
/// `?` on the phone (or forces UCS-2, which halves what a message holds).
enum GSM7 {
    /// The basic set, one septet each.
    static let basic: Set<Character> = Set(
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
    )
    /// The extension set, two septets each (escape + character).
    static let extended: Set<Character> = Set("^{}\\[~]|€\u{000C}")

    /// Whether `text` is written in the default alphabet.
    static func isGSM7(_ text: String) -> Bool { text.allSatisfy { basic.contains($0) || extended.contains($0) } }

    /// Septets `text` takes.
    static func septets(_ text: String) -> Int { text.reduce(0) { $0 + (extended.contains($1) ? 2 : 1) } }

    /// How many SMS a GSM-7 text needs: 160 septets in one, 153 per part beyond.
    static func segments(_ text: String) -> Int {
        let count = septets(text)
        return count <= 160 ? 1 : (count + 152) / 153
    }

    /// `text` with every character outside the alphabet replaced by its nearest in it: é and è
    /// and à stay (they are in it), ê ë → e, â → a, î ï → i, ô → o, û → u, ç → c (Ç is in the
    /// alphabet, ç is not), œ → oe, ’ → ', « » → ", and anything else without a near letter → ?.
    static func transliterate(_ text: String) -> String {
        var result = ""
        for character in text {
            if basic.contains(character) || extended.contains(character) {
                result.append(character)
            } else if let replacement = replacements[character] {
                result += replacement
            } else {
                // Strip accents the alphabet lacks (ā → a), else `?`.
                let folded = String(character).folding(options: .diacriticInsensitive, locale: nil)
                result += folded.allSatisfy { basic.contains($0) } ? folded : "?"
            }
        }
        return result
    }

    static let replacements: [Character: String] = [
        "ê": "e", "ë": "e", "â": "a", "î": "i", "ï": "i", "ô": "o", "û": "u", "ç": "c", "œ": "oe", "Œ": "OE",
        "À": "A", "Â": "A", "È": "E", "Ê": "E", "Ë": "E", "Î": "I", "Ï": "I", "Ô": "O", "Û": "U", "Ù": "U",
        "’": "'", "‘": "'", "«": "\"", "»": "\"", "“": "\"", "”": "\"", "–": "-", "—": "-", "…": "...",
        "\u{00A0}": " ", "\u{202F}": " ",
    ]
}
