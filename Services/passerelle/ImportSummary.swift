import Foundation
import Importing

/// The closing line of `import` and `demo`, French then English.
struct ImportSummary {
    let tally: ImportTally
    /// Where the rejects went, when to a file.
    let rejectsPath: String?
    let elapsed: Duration
    var verbFR = "importé"
    var verbEN = "imported"

    var text: String {
        let seconds = max(elapsed.seconds, 0.001)
        let rate = Double(tally.done) / seconds
        var fr = "\(verbFR) : \(tally.created) créés, \(tally.alreadyPresent) déjà présents, \(tally.rejected) rejetés"
        var en =
            "\(verbEN): \(tally.created) created, \(tally.alreadyPresent) already present, \(tally.rejected) rejected"
        if tally.failed > 0 {
            fr += ", \(tally.failed) en échec (registre injoignable ou en erreur)"
            en += ", \(tally.failed) failed (registry unreachable or failing)"
        }
        if let rejectsPath, tally.rejected + tally.failed > 0 {
            fr += " (voir \(rejectsPath))"
            en += " (see \(rejectsPath))"
        }
        fr += " en \(Self.format(seconds, french: true)) s (\(Self.format(rate, french: true)) lignes/s)"
        en += " in \(Self.format(seconds, french: false)) s (\(Self.format(rate, french: false)) rows/s)"
        return fr + " / " + en
    }

    private static func format(_ value: Double, french: Bool) -> String {
        let text = value >= 100 ? String(Int(value.rounded())) : String(format: "%.1f", value)
        return french ? text.replacingOccurrences(of: ".", with: ",") : text
    }
}
