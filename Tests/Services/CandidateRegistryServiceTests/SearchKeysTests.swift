import Messages
import Testing

@testable import candidate_registry

@Suite("search keys: a phone number as typed, a name without accents")
struct SearchKeysTests {
    @Test(
        "a number as people type it becomes its E.164 key; anything else is no number",
        arguments: [
            ("+223 76 00 00 01", "+22376000001"),
            ("0022376000001", "+22376000001"),
            ("76.00.00.01", "+22376000001"),
            ("76-00-00-01", "+22376000001"),
            ("76000001", "+22376000001"),
            ("+22376000001", "+22376000001"),
            ("00 223 (76) 00.00.01", "+22376000001"),
            ("(+33) 6 12 34 56 78", "+33612345678"),
            ("0033 6 12 34 56 78", "+33612345678"),
            ("+34\u{00A0}612\u{202F}345\u{00A0}678", "+34612345678"),
        ])
    func phone(typed: String, key: String) {
        #expect(PhoneKey.normalised(typed) == key, "\(typed)")
    }

    @Test(
        "garbage, a number too short or too long, a national number of another country",
        arguments: [
            "", "   ", "abc", "7600000", "760000011", "06 12 34 56 78", "+", "00", "+0223 76000001",
            "+223 76 00 00 0A", "+2237600000123456", "76 00 00 01 ext 2", "٧٦٠٠٠٠٠١", "+223/76000001",
        ])
    func notAPhone(typed: String) {
        #expect(PhoneKey.normalised(typed) == nil, "\(typed)")
    }

    @Test(
        "a name folds to lower-case words without accents",
        arguments: [
            ("Traoré", ["traore"]),
            ("  AWA   TRAORÉ ", ["awa", "traore"]),
            ("Keïta-Coulibaly", ["keita", "coulibaly"]),
            ("N’Diaye", ["ndiaye"]),
            ("n'diaye", ["ndiaye"]),
            ("Maïmouna Sangaré", ["maimouna", "sangare"]),
            ("Ｓｉｄｉ", ["sidi"]),
            ("Çissé", ["cisse"]),
            ("-- !", []),
        ])
    func name(text: String, words: [String]) {
        #expect(NameKey.words(text) == words, "\(text)")
    }

    @Test("the sort key reads family name first; the search words are both names'")
    func keysOfAName() {
        let name = PersonName(given: "Awa Maïmouna", family: "Traoré")
        #expect(NameKey.sortKey(name) == "traore awa maimouna")
        #expect(NameKey.searchWords(name) == ["awa", "maimouna", "traore"])
    }
}
