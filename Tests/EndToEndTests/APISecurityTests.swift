import Foundation
import Messages
import ServiceKit
import ServiceTesting
import Testing

@Suite("HTTP APIs with security on: API keys, roles and the audit trail", .timeLimit(.minutes(3)))
struct APISecurityTests {
    /// One resource and the roles it must refuse (403) and accept.
    struct Resource: Sendable, CustomStringConvertible {
        let service: String
        let method: String
        let path: String
        let refused: [APIKeys.Role]
        let accepted: APIKeys.Role
        var description: String { "\(service) \(method) \(path)" }
    }

    static let resources: [Resource] = [
        Resource(service: "offer-registry", method: "POST", path: "/offers", refused: [.statistics], accepted: .agency),
        Resource(service: "offer-registry", method: "GET", path: "/offers", refused: [], accepted: .statistics),
        Resource(service: "offer-registry", method: "GET", path: "/offers/{offer}", refused: [], accepted: .agency),
        Resource(
            service: "offer-registry", method: "GET", path: "/offers/{offer}/versions", refused: [], accepted: .agency),
        Resource(
            service: "offer-registry", method: "PUT", path: "/offers/{offer}", refused: [.statistics],
            accepted: .officer),
        Resource(
            service: "offer-registry", method: "POST", path: "/offers/{offer}/approve",
            refused: [.agency, .statistics], accepted: .officer),
        Resource(
            service: "offer-registry", method: "POST", path: "/offers/{offer}/close", refused: [.agency, .statistics],
            accepted: .officer),
        Resource(
            service: "offer-registry", method: "GET", path: "/audit", refused: [.agency, .statistics],
            accepted: .officer),
        Resource(
            service: "candidate-registry", method: "POST", path: "/candidates", refused: [.agency, .statistics],
            accepted: .officer),
        Resource(
            service: "candidate-registry", method: "GET", path: "/candidates/{candidate}",
            refused: [.agency, .statistics], accepted: .officer),
        Resource(
            service: "candidate-registry", method: "GET", path: "/candidates?phone=76999888",
            refused: [.agency, .statistics], accepted: .officer),
        Resource(
            service: "candidate-registry", method: "PUT", path: "/candidates/{candidate}",
            refused: [.agency, .statistics], accepted: .officer),
        Resource(
            service: "candidate-registry", method: "GET", path: "/candidates/{candidate}/consent",
            refused: [.agency, .statistics], accepted: .officer),
        Resource(
            service: "candidate-registry", method: "PUT", path: "/candidates/{candidate}/consent",
            refused: [.agency, .statistics], accepted: .officer),
        Resource(
            service: "candidate-registry", method: "DELETE", path: "/candidates/{candidate}",
            refused: [.agency, .statistics], accepted: .officer),
        Resource(
            service: "matcher", method: "GET", path: "/matches?offer={offer}", refused: [.agency, .statistics],
            accepted: .officer),
        Resource(
            service: "matcher", method: "PUT", path: "/matches/{offer}/{candidate}/follow-up",
            refused: [.agency, .statistics], accepted: .officer),
    ]

    /// The three services on one secure broker, with an offer and a candidate to point at.
    struct Services {
        let base: [String: String]
        let offer: String
        let candidate: String
        let processes: [RunningService]
        /// Kept with the services: a broker no one holds is stopped, and the bus with it.
        let broker: RunningBroker

        static func start(keys: [String: String] = TestSecurity.forced) async throws -> Services {
            let broker = try await RunningBroker.start(environment: keys)
            var started: [String: RunningService] = [:]
            for name in ["offer-registry", "candidate-registry", "matcher"] {
                started[name] = try await RunningService.start(
                    name, broker: broker, dataDirectory: scratchDirectory("api-\(name)"), environment: keys)
            }
            let offer = try await request(
                "POST", started["offer-registry"]!.base + "/offers", json: sampleOffer(), auth: .role(.officer))
            let candidate = try await request(
                "POST", started["candidate-registry"]!.base + "/candidates", json: sampleCandidate(),
                auth: .role(.officer))
            return Services(
                base: started.mapValues(\.base), offer: try #require(offer.json?["id"]?.string),
                candidate: try #require(candidate.json?["id"]?.string), processes: Array(started.values),
                broker: broker)
        }

        func url(_ resource: Resource) -> String {
            base[resource.service]!
                + resource.path.replacingOccurrences(of: "{offer}", with: offer)
                .replacingOccurrences(of: "{candidate}", with: candidate)
        }

        /// A body the resource accepts, so that only the key decides the answer.
        func body(_ resource: Resource) -> Data? {
            switch (resource.method, resource.path) {
            case ("POST", "/offers"), ("PUT", "/offers/{offer}"):
                try? CanonicalJSON.encode(sampleOffer()).data
            case ("POST", "/candidates"), ("PUT", "/candidates/{candidate}"):
                try? CanonicalJSON.encode(sampleCandidate()).data
            case ("PUT", "/candidates/{candidate}/consent"):
                Data(#"{"statistics":false}"#.utf8)
            case ("PUT", "/matches/{offer}/{candidate}/follow-up"):
                Data(#"{"shortlisted":true,"contacted":false}"#.utf8)
            default: nil
            }
        }
    }

    @Test("every resource: 401 without a key or with a wrong one, 403 for a role it does not serve, served otherwise")
    func everyResource() async throws {
        let services = try await Services.start()
        for resource in Self.resources {
            let url = services.url(resource)
            let body = services.body(resource)
            let none = try await request(resource.method, url, body: body, auth: .none)
            #expect(none.status == 401, "\(resource) without a key: \(none.status)")
            #expect(none.errorCode == "unauthorized")
            let wrong = try await request(resource.method, url, body: body, auth: .key("pk_not-a-key-of-ours"))
            #expect(wrong.status == 401, "\(resource) with a wrong key: \(wrong.status)")
            for role in resource.refused {
                let refused = try await request(resource.method, url, body: body, auth: .role(role))
                #expect(refused.status == 403, "\(resource) as \(role): \(refused.status) \(refused.text)")
                #expect(refused.errorCode == "forbidden")
            }
        }
        // Served: the accepted role gets past the door (erasure last, it removes the candidate).
        for resource in Self.resources {
            let answer = try await request(
                resource.method, services.url(resource), body: services.body(resource), auth: .role(resource.accepted))
            #expect(
                ![401, 403].contains(answer.status),
                "\(resource) as \(resource.accepted): \(answer.status) \(answer.text)")
            #expect(answer.status < 500, "\(resource): \(answer.text)")
        }
        // What must stay open does.
        for (service, base) in services.base {
            for path in ["/health", "/metrics"] {
                let open = try await request("GET", base + path, auth: .none)
                #expect(open.status == 200, "\(service) \(path) without a key")
            }
        }
    }

    @Test("the audit trail of an offer's approval names the officer a portal acts for; agencies edit only their own")
    func auditAndOwnership() async throws {
        let services = try await Services.start()
        let offers = services.base["offer-registry"]!
        // An agency submits an offer that charges the worker: it waits for review.
        let submitted = try await request(
            "POST", offers + "/offers", json: sampleOffer(["conditions.workerFees": 5000]), auth: .role(.agency))
        #expect(submitted.status == 201, "\(submitted.text)")
        let id = try #require(submitted.json?["id"]?.string)
        #expect(submitted.json?["status"]?.string == "pending")
        // The agency cannot approve it, nor edit the officer's offer; it may edit its own.
        #expect(try await request("POST", offers + "/offers/\(id)/approve", auth: .role(.agency)).status == 403)
        let foreign = try await request(
            "PUT", offers + "/offers/\(services.offer)", json: sampleOffer(["title": "Repris"]), auth: .role(.agency))
        #expect(foreign.status == 403, "\(foreign.text)")
        let own = try await request(
            "PUT", offers + "/offers/\(id)", json: sampleOffer(["conditions.workerFees": 5000, "positions": 3]),
            auth: .role(.agency))
        #expect(own.status == 200, "\(own.text)")
        // A portal key must say which officer it acts for.
        let anonymous = try await request("POST", offers + "/offers/\(id)/approve", auth: .role(.portal))
        #expect(anonymous.status == 403)
        #expect(anonymous.errorCode == "officer-required")
        let approved = try await request(
            "POST", offers + "/offers/\(id)/approve", headers: ["X-Passerelle-Officer": "awa.traore"],
            auth: .role(.portal))
        #expect(approved.status == 200, "\(approved.text)")

        let trail = try await request("GET", offers + "/audit?resource=/offers/\(id)", auth: .role(.officer))
        #expect(trail.status == 200)
        guard case .array(let entries)? = trail.json?["entries"] else {
            Issue.record("no entries: \(trail.text)")
            return
        }
        let approval = entries.first { $0["path"]?.string == "/offers/\(id)/approve" && $0["status"] == .int(200) }
        #expect(approval?["actor"]?.string == "test-portal", "\(trail.text)")
        #expect(approval?["onBehalfOf"]?.string == "awa.traore", "the officer is named: \(trail.text)")
        #expect(approval?["role"]?.string == "portal")
        let creation = entries.first { $0["method"]?.string == "POST" && $0["path"]?.string == "/offers" }
        #expect(creation?["actor"]?.string == "test-agency", "who submitted it")
        let edit = entries.first { $0["method"]?.string == "PUT" && $0["status"] == .int(200) }
        #expect(edit?["changes"] == .array([.string("positions")]), "what changed, by field: \(trail.text)")
        let refused = entries.filter { $0["status"] == .int(403) }
        #expect(refused.count == 2, "refused writes are audited too: \(trail.text)")
        // Officers only.
        #expect(try await request("GET", offers + "/audit", auth: .role(.agency)).status == 403)
    }

    @Test("an API key made with passerelle keys api create works at once and is refused once revoked")
    func revokedKey() async throws {
        let folder = try TestSecurity.privateCopy()
        let services = try await Services.start(keys: ["PASSERELLE_KEYS_DIR": folder])
        let create = try SpawnedProcess(
            "passerelle",
            ["keys", "api", "create", "--role", "agency", "--name", "agence-madrid", "--keys-dir", folder])
        #expect(try await create.waitForExit(timeout: .seconds(20)) == .exited(0), "\(create.stderr)")
        let key = try #require(create.stdout.split(separator: "\n").last.map(String.init))
        #expect(key.hasPrefix("pk_"))
        let stored = try String(contentsOfFile: folder + "/api-keys.json", encoding: .utf8)
        #expect(!stored.contains(key), "only the hash is kept")
        #expect(stored.contains(APIKeys.hash(key)))
        let offers = services.base["offer-registry"]!
        #expect(try await request("GET", offers + "/offers", auth: .key(key)).status == 200)
        let revoke = try SpawnedProcess("passerelle", ["keys", "api", "revoke", "agence-madrid", "--keys-dir", folder])
        #expect(try await revoke.waitForExit(timeout: .seconds(20)) == .exited(0), "\(revoke.stderr)")
        #expect(try await request("GET", offers + "/offers", auth: .key(key)).status == 401)
        let list = try SpawnedProcess("passerelle", ["keys", "api", "list", "--keys-dir", folder])
        #expect(try await list.waitForExit(timeout: .seconds(20)) == .exited(0))
        #expect(list.stdout.contains("agence-madrid\tagency"))
        #expect(list.stdout.contains("revoked"))
    }
}

extension Array where Element == UInt8 {
    var data: Data { Data(self) }
}
