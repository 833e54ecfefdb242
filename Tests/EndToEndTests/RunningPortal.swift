import Foundation
import ServiceKit
import ServiceTesting
import Testing

/// An offer registry (and, when asked, the candidate registry and the matcher) with Portail
/// in front, and an officer's account.
struct RunningPortal {
    let broker: RunningBroker
    let offers: RunningService
    let candidates: RunningService?
    let matcher: RunningService?
    let notifier: RunningService?
    let portail: RunningService
    static let password = "correct horse battery staple"

    static func start(
        everything: Bool = false, environment more: [String: String] = [:]
    ) async throws
        -> RunningPortal
    {
        let broker = try await RunningBroker.start()
        let offers = try await RunningService.start(
            "offer-registry", broker: broker, dataDirectory: scratchDirectory("p-offers"))
        let candidates =
            everything
            ? try await RunningService.start(
                "candidate-registry", broker: broker, dataDirectory: scratchDirectory("p-candidates")) : nil
        let matcher =
            everything
            ? try await RunningService.start("matcher", broker: broker, dataDirectory: scratchDirectory("p-matcher"))
            : nil
        let notifier =
            everything
            ? try await RunningService.start("notifier", broker: broker, dataDirectory: scratchDirectory("p-notifier"))
            : nil
        let data = scratchDirectory("p-portail")
        try await addUser("awa", role: "officer", data: data)
        var environment = [
            "PASSERELLE_OFFER_REGISTRY_URL": offers.base,
            "PASSERELLE_PORTAIL_API_KEY": TestSecurity.isOn ? TestSecurity.keys.api[.portal]! : "",
        ]
        if let candidates { environment["PASSERELLE_CANDIDATE_REGISTRY_URL"] = candidates.base }
        if let matcher { environment["PASSERELLE_MATCHER_URL"] = matcher.base }
        if let notifier { environment["PASSERELLE_NOTIFIER_URL"] = notifier.base }
        environment.merge(more) { $1 }
        let portail = try await RunningService.start(
            "portail", broker: broker, dataDirectory: data, environment: environment)
        return RunningPortal(
            broker: broker, offers: offers, candidates: candidates, matcher: matcher, notifier: notifier,
            portail: portail)
    }

    static func addUser(_ name: String, role: String, data: String, password: String = password) async throws {
        let input = Pipe()
        // As an administrator would: passerelle runs the portail beside it.
        let add = try SpawnedProcess(
            executable: SpawnedProcess.binDirectory.appendingPathComponent("passerelle"),
            name: "passerelle portail user add", ["portail", "user", "add", name, "--role", role, "--data-dir", data],
            input: input)
        input.fileHandleForWriting.write(Data((password + "\n").utf8))
        try input.fileHandleForWriting.close()
        #expect(try await add.waitForExit(timeout: .seconds(60)) == .exited(0), "\(add.stderr)")
    }

    /// Signs `browser` in; returns the page it lands on.
    func signIn(
        _ browser: PortalBrowser, as user: String = "awa", password: String = password, after: String = "/offres"
    ) async throws -> PortalBrowser.Page {
        let form = try await browser.get("/connexion")
        let token = try #require(form.hidden("_csrf"), "the sign-in form carries a token")
        return try await browser.post(
            "/connexion", [("_csrf", token), ("identifiant", user), ("mot_de_passe", password), ("suite", after)])
    }
}
