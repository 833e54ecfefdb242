import Foundation
import HTTPTypes
import Messages
import ServiceKit
import ServiceTesting
import Testing

@testable import candidate_registry

/// People at a consular desk: two namesakes, a family sharing a phone, a number in France.
let desk: [(id: String, given: String, family: String, phone: String, born: Int)] = [
    ("AW-1", "Awa", "Traoré", "+22376000001", 1990),
    ("AW-2", "Awa", "Traoré", "+22376000002", 1985),
    ("MA-1", "Mamadou", "Traore", "+22376000001", 1980),
    ("FA-1", "Fatoumata", "Diarra", "+33612345678", 1992),
    ("OU-1", "Oumar", "Keïta-Coulibaly", "+22365000003", 1988),
]

/// The registry with the people of ``desk`` registered.
func deskRegistry() async throws -> ServiceUnderTest {
    let registry = try await ServiceUnderTest(CandidateRegistryCommand.self)
    try await registry.withClient { client in
        for person in desk {
            let created = try await client.send(
                .post, "/candidates",
                json: sampleCandidate([
                    "id": .string(person.id), "name.given": .string(person.given),
                    "name.family": .string(person.family), "contact.phone": .string(person.phone),
                    "birthYear": .int(Int64(person.born)),
                ]))
            #expect(created.status == .created, "\(created.text)")
        }
    }
    return registry
}

extension ServiceUnderTest.Client {
    /// `GET /candidates` with `parameters` percent-encoded as a browser would.
    func search(_ parameters: KeyValuePairs<String, String>) async throws -> ServiceUnderTest.Answer {
        let query = parameters.map { name, value in
            "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? value)"
        }
        return try await send(.get, "/candidates?" + query.joined(separator: "&"))
    }
}

extension ServiceUnderTest.Answer {
    /// The ids of the candidates found, in the answer's order.
    var ids: [String] {
        guard case .array(let found) = json?["candidates"] else { return [] }
        return found.compactMap { if case .string(let id) = $0["id"] { id } else { nil } }
    }
}

@Suite("GET /candidates: finding a person by phone, name or ids")
struct CandidateSearchTests {
    @Test("a phone typed three ways finds the same people (a family shares it), each as GET /candidates/{id}")
    func byPhone() async throws {
        let registry = try await deskRegistry()
        try await registry.withClient { client in
            for typed in ["+223 76 00 00 01", "0022376000001", "76.00.00.01"] {
                let found = try await client.search(["phone": typed])
                #expect(found.status == .ok, "\(typed): \(found.text)")
                #expect(found.ids == ["AW-1", "MA-1"], "\(typed)")
                #expect(found.json?["total"] == 2 && found.json?["limit"] == 20 && found.json?["offset"] == 0)
            }
            let abroad = try await client.search(["phone": "(+33) 6 12 34 56 78"])
            #expect(abroad.ids == ["FA-1"])
            let record = try await client.send(.get, "/candidates/FA-1")
            #expect(abroad.json?["candidates"]?[0] == record.json, "the full record, as GET /candidates/{id}")
            #expect(try await client.search(["phone": "76 00 00 09"]).ids == [])
        }
    }

    @Test("a name without accents, in another case, or as word prefixes; a birth year narrows it")
    func byName() async throws {
        let registry = try await deskRegistry()
        try await registry.withClient { client in
            let cases: [(query: String, born: String?, ids: [String])] = [
                ("traore", nil, ["AW-1", "AW-2", "MA-1"]),
                ("TRAORÉ", nil, ["AW-1", "AW-2", "MA-1"]),
                ("awa traore", nil, ["AW-1", "AW-2"]),
                ("Traoré Awa", nil, ["AW-1", "AW-2"]),
                ("aw tra", nil, ["AW-1", "AW-2"]),
                ("awa traore", "1985", ["AW-2"]),
                ("traore", "1980", ["MA-1"]),
                ("traore", "1999", []),
                ("coulibaly", nil, ["OU-1"]),
                ("keita oumar", nil, ["OU-1"]),
                ("raore", nil, []),
                ("awa diarra", nil, []),
            ]
            for (query, born, ids) in cases {
                let found =
                    if let born {
                        try await client.search(["name": query, "birthYear": born])
                    } else {
                        try await client.search(["name": query])
                    }
                #expect(found.status == .ok, "\(query): \(found.text)")
                #expect(found.ids == ids, "\(query) \(born ?? "")")
                #expect(found.json?["total"] == .int(Int64(ids.count)), "\(query) \(born ?? "")")
            }
        }
    }

    @Test("ids come back in the order given; an unknown one is simply absent")
    func byIDs() async throws {
        let registry = try await deskRegistry()
        try await registry.withClient { client in
            let found = try await client.search(["ids": "OU-1,NOBODY, AW-2,AW-1,OU-1"])
            #expect(found.ids == ["OU-1", "AW-2", "AW-1"])
            #expect(found.json?["total"] == 3)
        }
    }

    @Test("limit and offset page through what was found; total counts it all")
    func paging() async throws {
        let registry = try await deskRegistry()
        try await registry.withClient { client in
            let page = try await client.search(["name": "traore", "limit": "2", "offset": "1"])
            #expect(page.ids == ["AW-2", "MA-1"])
            #expect(page.json?["total"] == 3 && page.json?["limit"] == 2 && page.json?["offset"] == 1)
            let beyond = try await client.search(["phone": "76000001", "offset": "5"])
            #expect(beyond.ids == [] && beyond.json?["total"] == 2)
            let listed = try await client.search(["ids": "MA-1,AW-2,AW-1", "limit": "1", "offset": "1"])
            #expect(listed.ids == ["AW-2"] && listed.json?["total"] == 3)
        }
    }

    @Test("a bad search is a 400 naming the parameter at fault")
    func badSearches() async throws {
        let registry = try await deskRegistry()
        let tooMany = (0...100).map { "C-\($0)" }.joined(separator: ",")
        let bad: [(query: String, code: String, field: String?)] = [
            ("phone=76000001&name=awa", "invalid-parameter", "name"),
            ("name=awa&ids=AW-1", "invalid-parameter", "ids"),
            ("name=a", "invalid-parameter", "name"),
            ("name=%20a%20", "invalid-parameter", "name"),
            ("name=--", "invalid-parameter", "name"),
            ("name=" + String(repeating: "a", count: 101), "invalid-parameter", "name"),
            ("ids=" + tooMany, "invalid-parameter", "ids"),
            ("ids=AW-1,a%20b", "invalid-parameter", "ids"),
            ("ids=,,", "invalid-parameter", "ids"),
            ("name=awa&birthYear=19x0", "invalid-parameter", "birthYear"),
            ("name=awa&birthYear=85", "invalid-parameter", "birthYear"),
            ("birthYear=1990", "invalid-parameter", "birthYear"),
            ("phone=76000001&birthYear=1990", "invalid-parameter", "birthYear"),
            ("phone=12", "invalid-parameter", "phone"),
            ("phone=not-a-number", "invalid-parameter", "phone"),
            ("phone=06%2012%2034%2056%2078", "invalid-parameter", "phone"),
            ("name=awa&limit=101", "invalid-parameter", "limit"),
            ("name=awa&offset=-1", "invalid-parameter", "offset"),
            ("nom=traore", "unknown-parameter", "nom"),
            ("", "missing-parameter", nil),
        ]
        try await registry.withClient { client in
            for (query, code, field) in bad {
                let refused = try await client.send(.get, "/candidates?" + query)
                #expect(refused.status == .badRequest, "\(query.prefix(40)): \(refused.text)")
                #expect(refused.json?["error"]?["code"] == .string(code), "\(query.prefix(40)): \(refused.text)")
                #expect(refused.json?["error"]?["field"] == field.map(JSONValue.string), "\(query.prefix(40))")
            }
        }
    }
}
