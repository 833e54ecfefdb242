import CodeLists
import Foundation
import Messages

/// A phone number as people type it, reduced to the E.164 form the registry stores, so that
/// `76 00 00 01`, `0022376000001` and `+223 76.00.00.01` find the same person.
enum PhoneKey {
    /// Digits of a number in Mali without its country code (`76 00 00 01`).
    static let maliLocalDigits = 8

    /// The E.164 number, or nil when `typed` is not one: spaces, dots, dashes and parentheses
    /// are ignored, `00` becomes `+`, and 8 digits alone are a Malian number (`+223`).
    static func normalised(_ typed: String) -> String? {
        var number = String(typed.filter { !$0.isWhitespace && !".-()".contains($0) })
        if number.hasPrefix("00") {
            number = "+" + number.dropFirst(2)
        } else if number.count == maliLocalDigits, number.allSatisfy({ $0.isASCII && $0.isNumber }) {
            number = "+223" + number
        }
        return E164.isValid(number) ? number : nil
    }
}

/// Names folded for searching: lower case, without accents, in words. `Traoré` is `traore`,
/// `N’Diaye` is `ndiaye` (an apostrophe joins), `Keïta-Coulibaly` is `keita coulibaly`.
enum NameKey {
    /// The folded words of `text`, in order.
    static func words(_ text: String) -> [String] {
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
        var words: [String] = []
        var word = ""
        for character in folded where !apostrophes.contains(character) {
            if character.isLetter || character.isNumber {
                word.append(character)
            } else if !word.isEmpty {
                words.append(word)
                word = ""
            }
        }
        if !word.isEmpty { words.append(word) }
        return words
    }

    /// The words of the family name, then the given name: the order of a register.
    static func sortKey(_ name: PersonName) -> String {
        (words(name.family) + words(name.given)).joined(separator: " ")
    }

    /// Every distinct word of the name, what a search's words are prefixes of.
    static func searchWords(_ name: PersonName) -> Set<String> {
        Set(words(name.given) + words(name.family))
    }

    static let apostrophes: Set<Character> = ["'", "’", "ʼ", "`"]
}
