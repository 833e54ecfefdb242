import Foundation

/// What an SMS from a phone asks, read as people type on a basic phone: case, accents,
/// punctuation and extra spaces do not matter; `OUI`/`YES`, `NON`/`NO`, `STOP` (`ARRET`,
/// `ARRÊT`, …), `VERIF <ref>`; anything else asks for help.
enum InboundCommand: Equatable, Sendable {
    case interested(reference: String)
    case declined(reference: String)
    case stop
    case verify(reference: String)
    case help

    static let stopWords: Set<String> = ["STOP", "ARRET", "ARRETER", "ARRETEZ", "DESABONNER", "UNSUBSCRIBE"]

    init(_ text: String) {
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).uppercased()
        let words = folded.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "-") }).map(String.init)
        guard let first = words.first else {
            self = .help
            return
        }
        let reference = words.dropFirst().first.map(Self.reference)
        switch (first, reference) {
        case ("OUI", let reference?), ("YES", let reference?): self = .interested(reference: reference)
        case ("NON", let reference?), ("NO", let reference?): self = .declined(reference: reference)
        case ("VERIF", let reference?), ("VERIFIER", let reference?), ("CHECK", let reference?):
            self = .verify(reference: reference)
        case (let word, _) where Self.stopWords.contains(word): self = .stop
        default: self = .help
        }
    }

    /// A reference as typed: `es2027 0042`, `ES-2027-42` → `ES-2027-0042` where it can tell.
    static func reference(_ typed: String) -> String {
        let parts = typed.split(separator: "-")
        guard parts.count == 3, parts[0].count == 2, parts[1].count == 4, let number = Int(parts[2]) else {
            return typed
        }
        return "\(parts[0])-\(parts[1])-\(String(format: "%04d", number))"
    }
}
