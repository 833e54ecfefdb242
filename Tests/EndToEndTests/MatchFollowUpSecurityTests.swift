import Foundation
import Messages
import ServiceKit
import ServiceTesting
import Testing

/// `PUT /matches/{offerId}/{candidateId}/follow-up` with security on, whatever the mode: the
/// three services spawned with keys on a secure broker, real HTTP.
@Suite("matcher's marks with security on: roles, the officer named only by a portal key, hostile bodies")
struct MatchFollowUpSecurityTests {
    @Test("agency and statistics keys are refused; a forged officer header is not believed; a portal's officer is")
    func rolesAndOfficer() async throws {
        let services = try await APISecurityTests.Services.start()
        let matcher = services.base["matcher"]!
        let path = matcher + "/matches/\(services.offer)/\(services.candidate)/follow-up"
        let mark: JSONValue = ["shortlisted": true, "contacted": false]
        try await waitUntil("the sample candidate matched to the sample offer") {
            let answer = try await request(
                "GET", matcher + "/matches?offer=\(services.offer)", auth: .role(.officer))
            return answer.json?["total"] == .int(1)
        }
        #expect(try await request("PUT", path, json: mark, auth: .none).status == 401)
        for role in [APIKeys.Role.agency, .statistics] {
            let refused = try await request("PUT", path, json: mark, auth: .role(role))
            #expect(refused.status == 403 && refused.errorCode == "forbidden", "\(role): \(refused.text)")
        }
        let nameless = try await request("PUT", path, json: mark, auth: .role(.portal))
        #expect(nameless.status == 403 && nameless.errorCode == "officer-required", "\(nameless.text)")

        // An officer's key that claims to act for someone else is still the key's owner.
        let forged = try await request(
            "PUT", path, json: mark, headers: ["X-Passerelle-Officer": "mallory"], auth: .role(.officer))
        #expect(forged.status == 200, "\(forged.text)")
        #expect(forged.json?["shortlistedBy"]?.string == "test-officer", "\(forged.text)")
        // Portail's key names the officer it acts for: that name is recorded.
        let contacted = try await request(
            "PUT", path, json: ["shortlisted": true, "contacted": true],
            headers: ["X-Passerelle-Officer": "awa.traore"], auth: .role(.portal))
        #expect(contacted.status == 200, "\(contacted.text)")
        #expect(contacted.json?["contactedBy"]?.string == "awa.traore", "\(contacted.text)")
        #expect(contacted.json?["shortlistedBy"]?.string == "test-officer", "the shortlist keeps who made it")
        #expect(contacted.json?["contactedAt"]?.string?.hasSuffix("Z") == true)
        let listed = try await request("GET", matcher + "/matches?offer=\(services.offer)", auth: .role(.officer))
        #expect(listed.json?["matches"]?[0]?["contactedBy"]?.string == "awa.traore", "\(listed.text)")

        // The audit trail: who tried, who marked, for whom.
        let trail = try await request(
            "GET", matcher + "/audit?resource=/matches/\(services.offer)/\(services.candidate)", auth: .role(.officer))
        guard case .array(let entries)? = trail.json?["entries"] else {
            Issue.record("no entries: \(trail.text)")
            return
        }
        let byPortal = entries.first { $0["actor"]?.string == "test-portal" && $0["status"] == .int(200) }
        #expect(byPortal?["onBehalfOf"]?.string == "awa.traore", "\(trail.text)")
        #expect(byPortal?["changes"] == .array(["contacted: true"]), "\(trail.text)")
        let all = try await request("GET", matcher + "/audit", auth: .role(.officer))
        #expect(all.text.contains("test-agency"), "a refused agency's attempt is audited too: \(all.text)")
    }

    @Test("bad JSON, a wrong type, an oversize body, an unknown match: 4xx naming what is wrong, never a 500")
    func hostileBodies() async throws {
        let services = try await APISecurityTests.Services.start()
        let matcher = services.base["matcher"]!
        let path = matcher + "/matches/\(services.offer)/\(services.candidate)/follow-up"
        try await waitUntil("the sample candidate matched to the sample offer") {
            try await request("GET", matcher + "/matches?offer=\(services.offer)", auth: .role(.officer))
                .json?["total"] == .int(1)
        }
        let broken = try await request("PUT", path, body: Data(#"{"shortlisted": true,"#.utf8), auth: .role(.officer))
        #expect(broken.status == 400 && broken.errorCode == "invalid-json", "\(broken.text)")
        let wrong = try await request(
            "PUT", path, body: Data(#"{"shortlisted": 1, "contacted": false}"#.utf8), auth: .role(.officer))
        #expect(wrong.status == 422 && wrong.errorField == "shortlisted", "\(wrong.text)")
        var oversize = Data(#"{"shortlisted": true, "contacted": false, "x": ""#.utf8)
        oversize.append(Data(repeating: UInt8(ascii: "x"), count: 2 << 20))
        oversize.append(Data(#""}"#.utf8))
        let large = try await request("PUT", path, body: oversize, auth: .role(.officer))
        #expect(large.status == 413 && large.errorCode == "body-too-large", "\(large.status)")
        let unknown = try await request(
            "PUT", matcher + "/matches/\(services.offer)/KAY-0000-0000/follow-up",
            json: ["shortlisted": true, "contacted": false], auth: .role(.officer))
        #expect(unknown.status == 404 && unknown.errorMessage?.contains(" / ") == true, "\(unknown.text)")
        let listed = try await request("GET", matcher + "/matches?offer=\(services.offer)", auth: .role(.officer))
        #expect(listed.json?["matches"]?[0]?["version"] == .int(0), "nothing was marked: \(listed.text)")
    }
}
