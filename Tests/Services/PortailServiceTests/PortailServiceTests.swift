import HTTPTypes
import Messages
import ServiceKit
import ServiceTesting
import Testing

@testable import portail

@Suite("portail in-process: the door, the sign-in page and /metrics")
struct PortailServiceTests {
    @Test("without a session a page sends to /connexion; the sign-in form carries a token; /metrics counts requests")
    func door() async throws {
        let portail = try await ServiceUnderTest(PortailCommand.self)
        try await portail.withClient { client in
            let offers = try await client.send(.get, "/offres")
            #expect(offers.status == .seeOther)
            let signIn = try await client.send(.get, "/connexion")
            #expect(signIn.status == .ok && signIn.text.contains("name=\"_csrf\""), "\(signIn.text.prefix(300))")
            #expect(!signIn.text.contains("role=\"alert\""))
            let metrics = try await client.send(.get, "/metrics")
            #expect(metrics.text.contains("passerelle_http_requests_total{method=\"GET\",route=\"/connexion\""))
        }
    }

    @Test("a sign-in without its form token is refused, whatever the password")
    func signInNeedsToken() async throws {
        let portail = try await ServiceUnderTest(PortailCommand.self)
        try await portail.withClient { client in
            let refused = try await client.send(
                .post, "/connexion", text: "identifiant=awa&mot_de_passe=x",
                headers: ["Content-Type": "application/x-www-form-urlencoded"])
            #expect(refused.status == .forbidden)
        }
    }
}
