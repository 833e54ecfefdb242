import Foundation
import Messages
import ServiceTesting
import Testing

/// `record` as JSON text with `member` (raw JSON, `"key":value`) in place of its member of
/// that key: for bodies `JSONValue` cannot hold, such as 1e309 or a key given twice.
func withMember(_ record: JSONValue, _ member: String) -> Data {
    let key = String(member.prefix(while: { $0 != ":" }).dropFirst().dropLast())
    guard case .object(var members) = record else { return Data() }
    members[key] = nil
    var text = String(decoding: try! CanonicalJSON.encode(JSONValue.object(members)), as: UTF8.self)
    text.removeLast()
    return Data((text + "," + member + "}").utf8)
}

/// One bad request and what the registry must answer.
struct BadRequest: Sendable, CustomTestStringConvertible {
    let label: String
    let body: Data
    let status: Int
    let code: String
    let field: String?

    init(_ label: String, _ body: JSONValue, _ status: Int, _ code: String, _ field: String?) {
        self.init(label, raw: Data(try! CanonicalJSON.encode(body)), status, code, field)
    }

    init(_ label: String, raw: Data, _ status: Int, _ code: String, _ field: String?) {
        self.label = label
        self.body = raw
        self.status = status
        self.code = code
        self.field = field
    }

    var testDescription: String { label }

    /// Bodies that are bad whatever the resource.
    static let common: [BadRequest] = [
        BadRequest(
            "a body over 1 MB", raw: Data(repeating: UInt8(ascii: "a"), count: 1_100_000), 413, "body-too-large", nil),
        BadRequest("invalid UTF-8", raw: Data([0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x7D]), 400, "invalid-utf8", nil),
        BadRequest("not JSON", raw: Data("{\"title\": ".utf8), 400, "invalid-json", nil),
        BadRequest("a JSON array", raw: Data("[]".utf8), 400, "invalid-json", nil),
        BadRequest("an empty body", raw: Data(), 400, "empty-body", nil),
    ]
}

@Suite("offer-registry over real HTTP and a real bus", .serialized, .timeLimit(.minutes(3)))
struct OfferRegistryTests {
    static let badOffers: [BadRequest] =
        BadRequest.common + [
            BadRequest("positions as text", sampleOffer(["positions": "trois"]), 422, "wrong-type", "positions"),
            BadRequest("positions 0", sampleOffer(["positions": 0]), 422, "invalid-field", "positions"),
            BadRequest("unknown ISCO code", sampleOffer(["occupation": "9999"]), 422, "invalid-field", "occupation"),
            BadRequest("ISCO minor group", sampleOffer(["occupation": "921"]), 422, "invalid-field", "occupation"),
            BadRequest("unknown country", sampleOffer(["country": "XX"]), 422, "invalid-field", "country"),
            BadRequest("lower-case country", sampleOffer(["country": "es"]), 422, "invalid-field", "country"),
            BadRequest("Mali as destination", sampleOffer(["country": "ML"]), 422, "invalid-field", "country"),
            BadRequest(
                "unknown currency", sampleOffer(["salary.currency": "EURO"]), 422, "invalid-field", "salary.currency"),
            BadRequest(
                "negative salary", sampleOffer(["salary.amount": .double(-5)]), 422, "invalid-field", "salary.amount"),
            BadRequest(
                "ISO 639-2 language", sampleOffer(["requirements.languages": [["code": "spa", "level": "A1"]]]), 422,
                "invalid-field", "requirements.languages[0].code"),
            BadRequest(
                "CEFR B3", sampleOffer(["requirements.languages": [["code": "es", "level": "B3"]]]), 422,
                "invalid-field", "requirements.languages[0].level"),
            BadRequest(
                "ISCED 9", sampleOffer(["requirements.education": 9]), 422, "invalid-field", "requirements.education"),
            BadRequest(
                "unknown licence", sampleOffer(["requirements.drivingLicences": ["Z"]]), 422, "invalid-field",
                "requirements.drivingLicences[0]"),
            BadRequest("end before start", sampleOffer(["endDate": "2027-02-01"]), 422, "invalid-field", "endDate"),
            BadRequest(
                "deadline after start", sampleOffer(["applicationDeadline": "2027-03-02"]), 422, "invalid-field",
                "applicationDeadline"),
            BadRequest("30 February", sampleOffer(["startDate": "2027-02-30"]), 422, "invalid-field", "startDate"),
            BadRequest("contract unknown", sampleOffer(["contract": "temporary"]), 422, "invalid-field", "contract"),
            BadRequest("title missing", sampleOffer(["title": nil]), 422, "missing-field", "title"),
            BadRequest("title blank", sampleOffer(["title": "   "]), 422, "invalid-field", "title"),
            BadRequest("employer missing", sampleOffer(["employer": nil]), 422, "missing-field", "employer"),
            BadRequest("an unknown field", sampleOffer(["salaire": 1200]), 422, "unknown-field", "salaire"),
            BadRequest(
                "an unknown nested field", sampleOffer(["conditions.bonus": 1]), 422, "unknown-field",
                "conditions.bonus"),
            BadRequest(
                "negative worker fees", sampleOffer(["conditions.workerFees": .double(-1)]), 422, "invalid-field",
                "conditions.workerFees"),
            BadRequest("an id with a slash", sampleOffer(["id": "../etc"]), 422, "invalid-field", "id"),
            // Hostile input (security probe).
            BadRequest(
                "positions given twice", raw: Data(#"{"positions":1,"title":"x","positions":2}"#.utf8), 400,
                "duplicate-key", "positions"),
            BadRequest(
                "an escaped duplicate key", raw: withMember(sampleOffer(), #""employer":{"name":"A","n\u0061me":"B"}"#),
                400, "duplicate-key", "employer.name"),
            BadRequest(
                "positions 40.5", raw: withMember(sampleOffer(), #""positions":40.5"#), 422, "invalid-field",
                "positions"),
            BadRequest(
                "positions 2^64", raw: withMember(sampleOffer(), #""positions":18446744073709551616"#), 422,
                "invalid-field", "positions"),
            BadRequest(
                "positions 1e309", raw: withMember(sampleOffer(), #""positions":1e309"#), 422, "invalid-field",
                "positions"),
            BadRequest(
                "salary 1e309",
                raw: withMember(sampleOffer(), #""salary":{"amount":1e309,"currency":"EUR","period":"month"}"#),
                422, "invalid-field", "salary.amount"),
            BadRequest(
                "title with a right-to-left override", sampleOffer(["title": "Ouvrier \u{202E}reilav"]), 422,
                "invalid-field", "title"),
            BadRequest(
                "employer with an isolate", sampleOffer(["employer.name": "ACME \u{2067}Ltd\u{2069}"]), 422,
                "invalid-field", "employer.name"),
            BadRequest("city with a mark", sampleOffer(["city": "Huelva\u{200F}"]), 422, "invalid-field", "city"),
        ]

    @Test("each bad request gets its 4xx naming the field; nothing is stored and the service keeps serving")
    func badRequests() async throws {
        let broker = try await RunningBroker.start()
        let registry = try await RunningService.start(
            "offer-registry", broker: broker, dataDirectory: scratchDirectory("offers-bad"))
        for bad in Self.badOffers {
            let result = try await request("POST", registry.base + "/offers", body: bad.body)
            #expect(result.status == bad.status, "\(bad.label): \(result.text)")
            #expect(result.errorCode == bad.code, "\(bad.label): \(result.text)")
            #expect(result.errorField == bad.field, "\(bad.label): \(result.text)")
            #expect((result.errorMessage ?? "").contains(" / "), "\(bad.label): a French and an English message")
        }
        let listing = try await request("GET", registry.base + "/offers")
        #expect(listing.json?["total"] == .int(0))
        for bad in ["country=XX", "status=archived", "limit=0", "occupation=99", "colour=red"] {
            let result = try await request("GET", registry.base + "/offers?" + bad)
            #expect(result.status == 400, "\(bad): \(result.text)")
        }
        #expect(try await request("GET", registry.base + "/offers/nope").status == 404)
        #expect(try await request("POST", registry.base + "/offers/nope/approve").status == 404)
        let health = try await request("GET", registry.base + "/health")
        #expect(health.status == 200)
        // SQL metacharacters are data like any other.
        let sly = "Robert'); DROP TABLE offers;-- \"%_\\"
        let created = try await request("POST", registry.base + "/offers", json: sampleOffer(["title": .string(sly)]))
        #expect(created.status == 201)
        let id = try #require(created.json?["id"]?.string)
        #expect(try await request("GET", registry.base + "/offers/\(id)").json?["title"] == .string(sly))
        #expect(try await request("GET", registry.base + "/offers").json?["total"] == .int(1))
    }

    @Test("create, update, approve, close and the deadline each publish their event")
    func lifecycleEvents() async throws {
        let broker = try await RunningBroker.start()
        let observer = try BusObserver(broker, prefixes: ["offer."])
        defer { Task { await observer.close() } }
        let registry = try await RunningService.start(
            "offer-registry", broker: broker, dataDirectory: scratchDirectory("offers-events"),
            ["--deadline-check-seconds", "0.2"])
        try await observer.waitUntilConnected(to: "offer-registry")

        // A clean offer opens at once.
        let created = try await request("POST", registry.base + "/offers", json: sampleOffer())
        #expect(created.status == 201)
        #expect(created.json?["status"] == "open")
        #expect(created.json?["flags"] == [])
        let id = try #require(created.json?["id"]?.string)
        #expect(created.headers["location"] == "/offers/\(id)")
        let published = try await observer.event(Topic.offerPublished) { $0.offer?.id == id }
        #expect(published.offer?.positions == 40)

        // An update: new version, offer.updated.
        let updated = try await request(
            "PUT", registry.base + "/offers/\(id)", json: sampleOffer(["positions": 45, "version": 1]))
        #expect(updated.status == 200, "\(updated.text)")
        #expect(updated.json?["version"] == .int(2))
        let update = try await observer.event(Topic.offerUpdated) { $0.offer?.id == id }
        #expect(update.offer?.positions == 45)
        // A stale version is refused.
        let stale = try await request("PUT", registry.base + "/offers/\(id)", json: sampleOffer(["version": 1]))
        #expect(stale.status == 409)
        #expect(stale.errorCode == "version-conflict")

        // Fees charged to the worker (ILO C181 art. 7): pending, nothing published until approved.
        let feeOffer = sampleOffer([
            "conditions.workerFees": 150, "employer.name": "Agence Transit", "occupation": "7112",
        ])
        let flagged = try await request("POST", registry.base + "/offers", json: feeOffer)
        #expect(flagged.json?["status"] == "pending")
        #expect(flagged.json?["flags"] == ["worker-fees"])
        let flaggedID = try #require(flagged.json?["id"]?.string)
        let approved = try await request("POST", registry.base + "/offers/\(flaggedID)/approve")
        #expect(approved.json?["status"] == "open")
        _ = try await observer.event(Topic.offerPublished) { $0.offer?.id == flaggedID }
        #expect(
            observer.events([Topic.offerPublished]).filter { $0.offer?.id == flaggedID }.count == 1,
            "published once, at approval")

        // Closing by an officer; a closed offer cannot change.
        let closed = try await request("POST", registry.base + "/offers/\(id)/close", json: ["reason": "filled"])
        #expect(closed.json?["status"] == "closed")
        let closing = try await observer.event(Topic.offerClosed) { $0.offer?.id == id }
        #expect(closing.offer?.closedReason == "filled")
        let late = try await request("PUT", registry.base + "/offers/\(id)", json: sampleOffer())
        #expect(late.status == 409)
        #expect(late.errorCode == "offer-closed")
        // Every version is kept: created, updated, closed.
        let history = try await request("GET", registry.base + "/offers/\(id)/versions")
        guard case .array(let versions)? = history.json?["versions"] else {
            Issue.record("no versions: \(history.text)")
            return
        }
        #expect(versions.map { $0["version"] } == [.int(1), .int(2), .int(3)])
        #expect(versions.map { $0["offer"]?["positions"] } == [.int(40), .int(45), .int(45)])
        #expect(versions.last?["offer"]?["status"] == "closed")

        // A deadline already past: flagged, then closed by the registry itself.
        let yesterday = LocalDate(Timestamp.now).adding(days: -1)
        let expired = try await request(
            "POST", registry.base + "/offers",
            json: sampleOffer([
                "applicationDeadline": .string(yesterday.description), "employer.name": "Late Farms",
                "startDate": .string(yesterday.description), "endDate": nil,
            ]))
        #expect(expired.json?["flags"] == ["deadline-passed"])
        let expiredID = try #require(expired.json?["id"]?.string)
        let byDeadline = try await observer.event(Topic.offerClosed) { $0.offer?.id == expiredID }
        #expect(byDeadline.offer?.closedReason == "deadline")
    }

    @Test("the same creation twice makes one offer; a reused key or id with another body is refused")
    func idempotentCreation() async throws {
        let broker = try await RunningBroker.start()
        let registry = try await RunningService.start(
            "offer-registry", broker: broker, dataDirectory: scratchDirectory("offers-idempotent"))
        let url = registry.base + "/offers"
        let first = try await request("POST", url, json: sampleOffer(), headers: ["Idempotency-Key": "agency-42"])
        let again = try await request("POST", url, json: sampleOffer(), headers: ["Idempotency-Key": "agency-42"])
        #expect(first.status == 201)
        #expect(again.status == 200)
        #expect(again.json?["id"] == first.json?["id"])
        let other = try await request(
            "POST", url, json: sampleOffer(["positions": 2]), headers: ["Idempotency-Key": "agency-42"])
        #expect(other.status == 422)
        #expect(other.errorCode == "idempotency-key-reused")

        let named = sampleOffer(["id": "ES-2027-0001", "employer.name": "Otra Empresa"])
        #expect(try await request("POST", url, json: named).status == 201)
        #expect(try await request("POST", url, json: named).status == 200)
        let clash = try await request("POST", url, json: named.setting(["positions"], 3))
        #expect(clash.status == 409)
        #expect(clash.errorCode == "id-conflict")
        #expect(try await request("GET", url).json?["total"] == .int(2))
    }

    @Test("listing filters by country, occupation group and status, and pages")
    func listing() async throws {
        let broker = try await RunningBroker.start()
        let registry = try await RunningService.start(
            "offer-registry", broker: broker, dataDirectory: scratchDirectory("offers-list"))
        let url = registry.base + "/offers"
        let offers: [[String: JSONValue?]] = [
            ["country": "ES", "occupation": "9211"], ["country": "ES", "occupation": "6111", "employer.name": "B"],
            ["country": "FR", "occupation": "9211", "employer.name": "C", "salary.currency": "EUR"],
            ["country": "CA", "occupation": "7112", "employer.name": "D", "salary.currency": "CAD"],
            ["country": "CA", "occupation": "7115", "employer.name": "E", "conditions.workerFees": 10],
        ]
        for changes in offers { #expect(try await request("POST", url, json: sampleOffer(changes)).status == 201) }
        func ids(_ query: String) async throws -> (Int, [JSONValue]) {
            let page = try await request("GET", url + "?" + query)
            guard case .array(let items)? = page.json?["offers"], case .int(let total)? = page.json?["total"] else {
                Issue.record("bad page for \(query): \(page.text)")
                return (-1, [])
            }
            return (Int(total), items)
        }
        #expect(try await ids("country=ES").0 == 2)
        #expect(try await ids("occupation=92").0 == 2)
        #expect(try await ids("occupation=71").0 == 2)
        #expect(try await ids("occupation=7112").0 == 1)
        #expect(try await ids("status=pending").0 == 1)
        #expect(try await ids("country=CA&status=open").0 == 1)
        let firstPage = try await ids("limit=2")
        let lastPage = try await ids("limit=2&offset=4")
        #expect(firstPage.0 == 5 && firstPage.1.count == 2)
        #expect(lastPage.1.count == 1)
    }

    @Test("review all holds even clean offers; review none opens flagged ones with their flags")
    func reviewModes() async throws {
        let broker = try await RunningBroker.start()
        let strict = try await RunningService.start(
            "offer-registry", broker: broker, dataDirectory: scratchDirectory("offers-review-all"), ["--review", "all"])
        #expect(try await request("POST", strict.base + "/offers", json: sampleOffer()).json?["status"] == "pending")
        // A bus of its own: two live processes with one source on one bus is refused (one
        // source, one process), and these two are both "offer-registry".
        let otherBus = try await RunningBroker.start()
        let open = try await RunningService.start(
            "offer-registry", broker: otherBus, dataDirectory: scratchDirectory("offers-review-none"),
            ["--review", "none"])
        let flagged = try await request(
            "POST", open.base + "/offers", json: sampleOffer(["employer.registration": nil]))
        #expect(flagged.json?["status"] == "open")
        #expect(flagged.json?["flags"] == ["employer-registration"])
        let refused = try SpawnedProcess("offer-registry", ["--review", "sometimes", "--http", "127.0.0.1:0"])
        // 64: a setting refused before start (a timeout, or a crash, is not a refusal).
        #expect(try await refused.waitForExit(timeout: .seconds(20)) == .exited(64))
        #expect(refused.stderr.contains("offers.review"))
    }
}

extension Envelope {
    var offer: Offer? {
        switch payload {
        case .offerPublished(let offer), .offerUpdated(let offer), .offerClosed(let offer): offer
        default: nil
        }
    }
}
