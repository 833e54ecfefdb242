import Foundation
import Hummingbird
import Messages
import ServiceKit

/// One `GET /candidates`: a single way to search (a phone number, a name with an optional
/// birth year, or a list of ids) and a page. Every fault is a 400 naming its parameter.
struct CandidateSearch: Sendable, Equatable {
    enum Criterion: Sendable, Equatable {
        /// The E.164 key of the number typed.
        case phone(String)
        /// Folded words, each a prefix of a word of the given or family name.
        case name(words: [String], birthYear: Int?)
        /// Distinct ids, in the order given.
        case ids([String])
    }

    var criterion: Criterion
    var limit: Int
    var offset: Int

    static let parameters: Set<String> = ["phone", "name", "birthYear", "ids", "limit", "offset"]
    /// The ways to search, exclusive of one another.
    static let ways = ["phone", "name", "ids"]
    static let maxIDs = 100

    init(criterion: Criterion, limit: Int = 20, offset: Int = 0) {
        self.criterion = criterion
        self.limit = limit
        self.offset = offset
    }

    init(_ query: QueryParameters) throws(APIError) {
        try query.only(Self.parameters)
        let given = Self.ways.filter { query[$0] != nil }
        if given.count > 1 {
            throw Self.invalid(
                given[1], french: "une seule recherche à la fois (déjà \(given[0]))",
                english: "one way to search at a time (\(given[0]) given too)")
        }
        if query["birthYear"] != nil, given != ["name"] {
            throw Self.invalid("birthYear", french: "seulement avec name", english: "only together with name")
        }
        switch given.first {
        case "phone":
            guard let key = PhoneKey.normalised(query["phone"] ?? "") else {
                throw Self.invalid(
                    "phone", french: "numéro illisible (ex. 76 00 00 01, +223 76 00 00 01, 0033 6 12 34 56 78)",
                    english: "unreadable number (e.g. 76 00 00 01, +223 76 00 00 01, 0033 6 12 34 56 78)")
            }
            criterion = .phone(key)
        case "name":
            criterion = .name(words: try Self.nameWords(query["name"] ?? ""), birthYear: try Self.birthYear(query))
        case "ids":
            criterion = .ids(try Self.ids(query["ids"] ?? ""))
        default:
            throw APIError(
                .badRequest, code: "missing-parameter",
                message: "phone, name ou ids attendu / expected phone, name or ids")
        }
        limit = try query.integer("limit", default: 20, range: 1...100)
        offset = try query.integer("offset", default: 0, range: 0...10_000_000)
    }

    static func nameWords(_ text: String) throws(APIError) -> [String] {
        let name = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (2...100).contains(name.count) else {
            throw invalid("name", french: "de 2 à 100 caractères", english: "2 to 100 characters")
        }
        var seen: Set<String> = []
        let words = NameKey.words(name).filter { seen.insert($0).inserted }
        guard !words.isEmpty else {
            throw invalid("name", french: "aucune lettre ni chiffre", english: "no letter or digit")
        }
        return words
    }

    static func birthYear(_ query: QueryParameters) throws(APIError) -> Int? {
        guard let text = query["birthYear"] else { return nil }
        guard text.utf8.count == 4, text.utf8.allSatisfy({ (48...57).contains($0) }), let year = Int(text) else {
            throw invalid("birthYear", french: "année à 4 chiffres attendue", english: "expected a 4-digit year")
        }
        return year
    }

    static func ids(_ text: String) throws(APIError) -> [String] {
        let ids = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard (1...maxIDs).contains(ids.count) else {
            throw invalid("ids", french: "de 1 à \(maxIDs) identifiants", english: "1 to \(maxIDs) ids")
        }
        var seen: Set<String> = []
        for (index, id) in ids.enumerated() {
            do throws(APIError) { try FieldCheck.identifier(id, "ids[\(index)]") } catch {
                throw APIError(.badRequest, code: "invalid-parameter", message: error.message, field: "ids")
            }
        }
        return ids.filter { seen.insert($0).inserted }
    }

    static func invalid(_ parameter: String, french: String, english: String) -> APIError {
        APIError.invalid(parameter, french: french, english: english).asParameter
    }
}

/// One page of `GET /candidates`.
struct CandidatePage: Codable, Sendable {
    let candidates: [Candidate]
    let total: Int
    let limit: Int
    let offset: Int
}
