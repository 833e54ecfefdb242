import Foundation
import Testing

@testable import portail

@Suite("portail's English: every text the templates mark has one, with the same variables")
struct TranslationTests {
    /// Each `{{#t}}…{{/t}}` of the shipped templates, as the lookup normalises it.
    static func markedTexts() throws -> [(template: String, text: String)] {
        let folder = Pages.resources + "/templates"
        let pattern = try Regex(#"\{\{#t\}\}(.*?)\{\{/t\}\}"#).dotMatchesNewlines()
        var found: [(String, String)] = []
        for file in try FileManager.default.contentsOfDirectory(atPath: folder) where file.hasSuffix(".mustache") {
            let text = try String(contentsOfFile: folder + "/" + file, encoding: .utf8)
            for match in text.matches(of: pattern) {
                found.append((file, Translation.key(String(text[match.range].dropFirst(6).dropLast(6)))))
            }
        }
        return found
    }

    static func variables(_ text: String) throws -> Set<String> {
        Set(text.matches(of: try Regex(#"\{\{[^}]+\}\}"#)).map { String(text[$0.range]) })
    }

    @Test("every marked text has English, whose variables and markup are the French's")
    func coverage() throws {
        let translation = try Translation.load(folder: Pages.resources + "/templates")
        let marked = try Self.markedTexts()
        #expect(marked.count > 100, "the templates mark their texts (\(marked.count))")
        for (template, text) in marked {
            guard let english = translation.english[text] else {
                Issue.record("\(template): no English for « \(text) »")
                continue
            }
            #expect(try Self.variables(english) == Self.variables(text), "\(template): « \(text) » → « \(english) »")
            #expect(english.filter { $0 == "<" }.count == text.filter { $0 == "<" }.count, "markup kept: \(english)")
        }
    }

    @Test("a prefix key translates the start of a text; unknown text stays French")
    func lookups() {
        let translation = Translation(english: ["Offre …": "Offer …", "Offre": "Offer", "Statut": "Status"])
        #expect(translation.english("Offre ES-2027-0001") == "Offer ES-2027-0001")
        #expect(translation.english("Offre") == "Offer")
        #expect(translation.english("  Statut \n") == "Status")
        #expect(translation.english("Intitulé") == "Intitulé")
    }
}

@Suite("portail's own HTML escaping, for what it draws without Mustache")
struct EscapeTests {
    @Test("markup and both quotes become entities; other text stays as it is")
    func escape() {
        #expect(
            Pages.escape(#"<script>"a" & 'b'</script>"#)
                == "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;")
        #expect(Pages.escape("Métier — « ça »") == "Métier — « ça »")
    }
}
