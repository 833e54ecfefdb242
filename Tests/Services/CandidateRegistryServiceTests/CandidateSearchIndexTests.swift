import Foundation
import GRDB
import HTTPTypes
import Messages
import ServiceKit
import ServiceTesting
import Testing

@testable import candidate_registry

@Suite("GET /candidates: the search keys follow every change, and leave with an erased person")
struct CandidateSearchIndexTests {
    @Test("an erased person is found by nothing, and nothing of their keys stays in any file")
    func erased() async throws {
        let registry = try await deskRegistry()
        try await registry.withClient { client throws in
            #expect(try await client.search(["name": "fatoumata diarra"]).ids == ["FA-1"])
            #expect(try await client.send(.delete, "/candidates/FA-1").status == .noContent)
            #expect(try await client.search(["phone": "+33 6 12 34 56 78"]).ids == [])
            #expect(try await client.search(["name": "fatoumata diarra"]).ids == [])
            #expect(try await client.search(["name": "diar"]).json?["total"] == 0)
            #expect(try await client.search(["ids": "FA-1,OU-1"]).ids == ["OU-1"])
        }
        for trace in ["Diarra", "diarra", "fatoumata", "+33612345678", "33612345678"] {
            #expect(try registry.filesContaining(trace).isEmpty, "\(trace) is still on disk")
        }
        // The same look finds the keys of someone still registered.
        #expect(!(try registry.filesContaining("keita coulibaly oumar").isEmpty))
        #expect(!(try registry.filesContaining("+22365000003").isEmpty))
        let words = try registry.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM candidate_name_words WHERE candidate = 'FA-1'")
        }
        #expect(words == 0)
    }

    @Test("after an update the new name and number find the person, the old ones no longer do")
    func followsUpdates() async throws {
        let registry = try await deskRegistry()
        try await registry.withClient { client in
            let moved = try await client.send(
                .put, "/candidates/FA-1",
                json: sampleCandidate([
                    "id": "FA-1", "name.given": "Fatoumata", "name.family": "Sidibé", "contact.phone": "+22390000004",
                    "birthYear": 1992,
                ]))
            #expect(moved.status == .ok, "\(moved.text)")
            #expect(try await client.search(["name": "diarra"]).ids == [])
            #expect(try await client.search(["phone": "(+33) 6 12 34 56 78"]).ids == [])
            #expect(try await client.search(["name": "fatoumata sidibe", "birthYear": "1992"]).ids == ["FA-1"])
            #expect(try await client.search(["phone": "90 00 00 04"]).ids == ["FA-1"])
            // Matching withdrawn is not erasure: the desk still finds the person.
            let withdrawn = try await client.send(.put, "/candidates/FA-1/consent", json: ["matching": false])
            #expect(withdrawn.status == .ok, "\(withdrawn.text)")
            #expect(try await client.search(["phone": "90000004"]).ids == ["FA-1"])
        }
    }

    @Test("the migration fills the keys of the candidates registered before it, from their records")
    func migrationFillsKeys() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("search-\(UUID()).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let queue = try DatabaseQueue(path: path)
        var migrator = DatabaseMigrator()
        CandidateStore.migrate(&migrator)
        try migrator.migrate(queue, upTo: "candidate-registry-v2-no-contact-rows")
        let draft = try CanonicalJSON.decode(
            CandidateDraft.self, from: try CanonicalJSON.encode(sampleCandidate(["name.family": "Traoré"])))
        let old = try CandidateValidator.validate(draft, id: "OLD-1", now: .now)
        try queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO candidates (id, profile, name, contact, registered, updated, fingerprint)
                    VALUES (?, ?, ?, ?, 0, 0, 'f')
                    """,
                arguments: [
                    "OLD-1", Data(try CanonicalJSON.encode(old.profile)), Data(try CanonicalJSON.encode(old.name)),
                    Data(try CanonicalJSON.encode(old.contact)),
                ])
        }
        try migrator.migrate(queue)
        try queue.read { db in
            let byPhone = try CandidateStore.search(CandidateSearch(criterion: .phone("+22376999888")), db)
            #expect(byPhone.candidates == [old] && byPhone.total == 1)
            let byName = try CandidateStore.search(
                CandidateSearch(criterion: .name(words: ["traore", "amin"], birthYear: 1995)), db)
            #expect(byName.candidates.map(\.profile.id) == ["OLD-1"])
        }
    }
}
