import CodeLists
import Foundation
import Mustache
import ServiceKit
import Synchronization

/// Portail's English: one JSON file beside the templates (`en.json`), from the French text as
/// the templates and the code write it to its English. French is the language of the pages;
/// an officer who switched to English reads this file's text wherever it has one, French
/// otherwise (a test checks that every text of the shipped templates has one).
///
/// A template marks text to translate with the `t` section: `{{#t}}Offres d’emploi{{/t}}`.
/// The text may hold variables (`{{#t}}{{total}} offre(s){{/t}}`): the English is a template
/// too. A key ending in « … » after a space translates text that starts with what comes before it
/// (`"Offre …": "Offer …"` turns « Offre ES-2027-0001 » into « Offer ES-2027-0001 »).
struct Translation: Sendable {
    let english: [String: String]
    /// The prefix keys, longest first, without their « … ».
    private let prefixes: [(french: String, english: String)]

    init(english: [String: String]) {
        var exact: [String: String] = [:]
        var prefixes: [(String, String)] = []
        for (french, english) in english {
            if french.hasSuffix(" …") {
                prefixes.append(
                    (String(french.dropLast()), english.hasSuffix(" …") ? String(english.dropLast()) : english))
            } else {
                exact[Self.key(french)] = english
            }
        }
        self.english = exact
        self.prefixes = prefixes.sorted { $0.0.count > $1.0.count }
    }

    /// `en.json` in `folder`.
    static func load(folder: String) throws -> Translation {
        let path = folder + "/en.json"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SettingsError.invalid(key: "portail.templatesDir", reason: "no en.json in \(folder)")
        }
        do {
            return Translation(english: try JSONDecoder().decode([String: String].self, from: data))
        } catch {
            throw SettingsError.invalid(
                key: "portail.templatesDir", reason: "\(path) is not a JSON object of strings: \(error)")
        }
    }

    /// Runs of white space as one space, trimmed: a template's line breaks do not matter.
    static func key(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// `french` in English, or as it is when there is no English for it.
    func english(_ french: String) -> String {
        let key = Self.key(french)
        if let english = english[key] { return english }
        for prefix in prefixes where key.hasPrefix(prefix.french) {
            return prefix.english + key.dropFirst(prefix.french.count)
        }
        return french
    }

    /// `french` in the signed-in officer's language.
    func callAsFunction(_ french: String) -> String {
        PortalSession.current?.language == "en" ? english(french) : french
    }

    /// The `t` section of an English page (a French page uses a plain section instead).
    var lambda: MustacheLambda { MustacheLambda { self.english($0) } }
}

extension Translation {
    /// The translation the server loaded (`Pages.load` installs it), for text the code writes.
    private static let installed = Mutex(Translation(english: [:]))

    static var current: Translation { installed.withLock { $0 } }

    static func install(_ translation: Translation) { installed.withLock { $0 = translation } }
}

/// `french` in the signed-in officer's language: the pages' words that the code writes
/// (column names, statuses, notices) go through here.
func tr(_ french: String) -> String { Translation.current(french) }

extension CodeEntry {
    /// The code list's name in the officer's language.
    var name: String { PortalSession.current?.language == "en" ? englishName : nameFR }

    /// The English name officers read: the first of the list's (« Spanish » of « Spanish; Castilian »).
    var englishName: String { nameEN.components(separatedBy: "; ").first ?? nameEN }
}

extension ISCOGroup {
    /// The group's title in the officer's language.
    var title: String { PortalSession.current?.language == "en" ? titleEN : titleFR }
}
