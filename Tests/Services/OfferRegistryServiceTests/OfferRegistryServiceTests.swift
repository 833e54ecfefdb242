import HTTPTypes
import Messages
import ServiceKit
import ServiceTesting
import Testing

@testable import offer_registry

/// The sample offer with its own id and employer registration (the duplicate check's key).
func offer(_ id: String, employer: String = "B21000001", _ changes: [String: JSONValue?] = [:]) -> JSONValue {
    sampleOffer(changes.merging(["id": .string(id), "employer.registration": .string(employer)]) { $1 })
}

@Suite("offer-registry in-process: build(settings:), router, store and outbox")
struct OfferRegistryServiceTests {
    @Test("a clean offer opens, and its offer.published is in the outbox under the offer's record")
    func cleanOfferOpens() async throws {
        let registry = try await ServiceUnderTest(OfferRegistryCommand.self)
        try await registry.withClient { client in
            let created = try await client.send(.post, "/offers", json: offer("ES-TEST-1"))
            #expect(created.status == .created, "\(created.text)")
            #expect(created.json?["status"] == "open")
            #expect(created.json?["flags"] == [])
        }
        let outbox = try registry.outbox()
        #expect(outbox.map(\.topic) == [Topic.offerPublished] && outbox.first?.record == "ES-TEST-1")
    }

    @Test("checks flag fees charged to the worker and an overlapping duplicate; flagged offers wait for review")
    func checksFlag() async throws {
        let registry = try await ServiceUnderTest(OfferRegistryCommand.self)
        try await registry.withClient { client in
            let fees = try await client.send(
                .post, "/offers", json: offer("fees", employer: "B1", ["conditions.workerFees": 300]))
            #expect(fees.json?["flags"] == ["worker-fees"] && fees.json?["status"] == "pending", "\(fees.text)")
            _ = try await client.send(.post, "/offers", json: offer("first", employer: "B2"))
            let twin = try await client.send(
                .post, "/offers", json: offer("twin", employer: "B2", ["startDate": "2027-04-01"]))
            #expect(twin.json?["flags"] == ["duplicate:first"] && twin.json?["status"] == "pending", "\(twin.text)")
            let later = try await client.send(
                .post, "/offers",
                json: offer("later", employer: "B2", ["startDate": "2027-07-01", "endDate": "2027-09-30"]))
            #expect(later.json?["flags"] == [], "no overlap in dates, no duplicate: \(later.text)")
        }
        // Only open offers are published.
        #expect(try registry.outbox().map(\.record) == ["first", "later"])
    }

    @Test("review all holds even a clean offer; a review mode or a check that does not exist is refused by name")
    func reviewModes() async throws {
        let strict = try await ServiceUnderTest(OfferRegistryCommand.self, settings: ["offers.review": "all"])
        try await strict.withClient { client in
            let held = try await client.send(.post, "/offers", json: sampleOffer())
            #expect(held.json?["status"] == "pending")
        }
        #expect(try strict.outbox().isEmpty)
        await #expect {
            _ = try await ServiceUnderTest(OfferRegistryCommand.self, settings: ["offers.review": "sometimes"])
        } throws: { error in
            "\(error)".contains("offers.review") && "\(error)".contains("all, flagged, none")
        }
        await #expect {
            _ = try await ServiceUnderTest(
                OfferRegistryCommand.self, settings: ["offers.checks": "worker-fees,psychic"])
        } throws: { error in
            "\(error)".contains("offers.checks") && "\(error)".contains("psychic")
        }
    }

    @Test("the same Idempotency-Key creates one offer; reused for another body it is refused")
    func idempotency() async throws {
        let registry = try await ServiceUnderTest(OfferRegistryCommand.self)
        try await registry.withClient { client in
            let key = ["Idempotency-Key": "row-1"]
            let first = try await client.send(.post, "/offers", json: sampleOffer(), headers: key)
            let again = try await client.send(.post, "/offers", json: sampleOffer(), headers: key)
            #expect(first.status == .created && again.status == .ok)
            #expect(first.json?["id"] == again.json?["id"])
            let other = try await client.send(.post, "/offers", json: sampleOffer(["city": "Lleida"]), headers: key)
            #expect(other.status == .unprocessableContent && other.json?["error"]?["field"] == "Idempotency-Key")
        }
        #expect(try registry.outbox().count == 1)
    }

    @Test("a bad body is refused naming the field, and nothing is stored")
    func badBody() async throws {
        let registry = try await ServiceUnderTest(OfferRegistryCommand.self)
        try await registry.withClient { client in
            let refused = try await client.send(.post, "/offers", json: sampleOffer(["title": nil]))
            #expect((400..<500).contains(refused.status.code))
            #expect(refused.json?["error"]?["field"] == "title", "\(refused.text)")
            let fees = try await client.send(.post, "/offers", json: sampleOffer(["conditions.workerFees": -5]))
            #expect(fees.json?["error"]?["field"] == "conditions.workerFees", "\(fees.text)")
        }
        #expect(try registry.outbox().isEmpty)
    }
}

@Suite("offer references: short, typable on a phone, unique")
struct OfferReferenceTests {
    @Test("each new offer gets destination-year-number; GET accepts the reference in any case; PUT keeps it")
    func references() async throws {
        let registry = try await ServiceUnderTest(OfferRegistryCommand.self)
        try await registry.withClient { client in
            let first = try await client.send(.post, "/offers", json: offer("r-1", employer: "E1"))
            let second = try await client.send(.post, "/offers", json: offer("r-2", employer: "E2"))
            let france = try await client.send(.post, "/offers", json: offer("r-3", employer: "E3", ["country": "FR"]))
            #expect(first.json?["reference"] == "ES-2027-0001")
            #expect(second.json?["reference"] == "ES-2027-0002")
            #expect(france.json?["reference"] == "FR-2027-0001")
            let byReference = try await client.send(.get, "/offers/es-2027-0002")
            #expect(byReference.status == .ok && byReference.json?["id"] == "r-2")
            let changed = try await client.send(
                .put, "/offers/r-2", json: offer("r-2", employer: "E2", ["city": "Lleida"]))
            #expect(
                changed.json?["reference"] == "ES-2027-0002" && changed.json?["city"] == "Lleida", "\(changed.text)")
            #expect(try await client.send(.get, "/offers/ES-2027-0099").status == .notFound)
        }
    }

    @Test("an offer read with GET goes back with PUT as it is; openedAt is when it first opened, and stays")
    func readThenWriteBack() async throws {
        let registry = try await ServiceUnderTest(OfferRegistryCommand.self)
        try await registry.withClient { client in
            let created = try await client.send(.post, "/offers", json: offer("w-1", employer: "W1"))
            let openedAt = try #require(created.json?["openedAt"], "an open offer says when it opened: \(created.text)")
            let read = try await client.send(.get, "/offers/w-1")
            let written = try await client.send(.put, "/offers/w-1", text: read.text)
            #expect(written.status == .ok, "\(written.text)")
            #expect(written.json?["openedAt"] == openedAt && written.json?["version"] == 2)
            let held = try await client.send(
                .post, "/offers", json: offer("w-2", employer: "W2", ["conditions.workerFees": 300]))
            #expect(held.json?["status"] == "pending" && held.json?["openedAt"] == nil, "\(held.text)")
            let flagged = try await client.send(.get, "/offers?flagged=true")
            #expect(flagged.json?["total"] == 1 && flagged.json?["offers"]?[0]?["id"] == "w-2", "\(flagged.text)")
            #expect(try await client.send(.get, "/offers?flagged=false").json?["total"] == 1)
            #expect(try await client.send(.get, "/offers?flagged=maybe").status == .badRequest)
            let approved = try await client.send(.post, "/offers/w-2/approve")
            #expect(approved.json?["status"] == "open" && approved.json?["openedAt"] != nil, "\(approved.text)")
        }
    }
}
