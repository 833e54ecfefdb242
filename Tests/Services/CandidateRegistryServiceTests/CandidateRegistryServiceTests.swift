import Foundation
import HTTPTypes
import Messages
import ServiceKit
import ServiceTesting
import Testing

@testable import candidate_registry

@Suite("candidate-registry in-process: registration, erasure, bad bodies")
struct CandidateRegistryServiceTests {
    @Test("registration publishes the profile without the name, and the contact on contact. only")
    func registration() async throws {
        let registry = try await ServiceUnderTest(CandidateRegistryCommand.self)
        try await registry.withClient { client in
            let created = try await client.send(.post, "/candidates", json: sampleCandidate(["id": "KAY-1"]))
            #expect(created.status == .created, "\(created.text)")
        }
        let outbox = try registry.outbox()
        #expect(
            outbox.map { "\($0.stream) \($0.topic) \($0.record ?? "-")" } == [
                "candidate candidate.registered KAY-1", "contact contact.updated KAY-1",
            ])
        let envelopes = try registry.envelopes(stream: "candidate")
        #expect(envelopes.count == 1 && !envelopes[0].contains("Zerbokoulibaly") && !envelopes[0].contains("+223"))
    }

    @Test("erasure keeps only the tombstones in the outbox, and the name leaves every file")
    func erasure() async throws {
        let registry = try await ServiceUnderTest(CandidateRegistryCommand.self)
        try await registry.withClient { client in
            _ = try await client.send(.post, "/candidates", json: sampleCandidate(["id": "KAY-2"]))
            _ = try await client.send(
                .put, "/candidates/KAY-2", json: sampleCandidate(["id": "KAY-2", "experienceYears": 6]))
            _ = try await client.send(
                .post, "/candidates", json: sampleCandidate(["id": "KAY-3", "name.family": "Sangaré"]))
            #expect(try await client.send(.delete, "/candidates/KAY-2").status == .noContent)
            #expect(try await client.send(.get, "/candidates/KAY-2").status == .notFound)
            #expect(try await client.send(.delete, "/candidates/KAY-2").status == .notFound)
        }
        let left = try registry.outbox().filter { $0.record == "KAY-2" }.map(\.topic)
        #expect(left == [Topic.candidateErased, Topic.contactErased])
        #expect(try registry.filesContaining("Zerbokoulibaly").isEmpty)
        #expect(try registry.filesContaining("zerbokoulibaly").isEmpty, "nor its folded search key")
        #expect(!(try registry.filesContaining("Sangaré").isEmpty), "the other person stays, and the search works")
    }

    @Test("a bad body is refused naming the field; nothing is stored")
    func badBody() async throws {
        let registry = try await ServiceUnderTest(CandidateRegistryCommand.self)
        try await registry.withClient { client in
            for (field, value): (String, JSONValue?) in [
                ("name.family", nil), ("birthYear", 1850), ("region", "ML-99"), ("contact.phone", "12"),
            ] {
                let refused = try await client.send(.post, "/candidates", json: sampleCandidate([field: value]))
                #expect((400..<500).contains(refused.status.code), "\(field): \(refused.text)")
                #expect(refused.json?["error"]?["field"] == .string(field), "\(field): \(refused.text)")
            }
        }
        #expect(try registry.outbox().isEmpty)
    }
}
