import Foundation

/// Replies that mean "send me nothing more", in French and English, as typed on basic
/// phones: case, accents and punctuation ignored, first word only.
enum StopWords {
    static let words: Set<String> = ["STOP", "ARRET", "ARRETER", "ARRETEZ", "DESABONNER", "UNSUBSCRIBE"]

    static func isStop(_ text: String) -> Bool {
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).uppercased()
        let first = folded.split(whereSeparator: { !$0.isLetter }).first.map(String.init) ?? ""
        return words.contains(first)
    }
}
