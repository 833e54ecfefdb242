import Foundation
import Messages
import Testing

extension Browser {
    /// Tests/Browser/portail_flow.py's report: the steps of an officer's and a supervisor's
    /// day in Portail, driven in Chromium.
    struct FlowReport: Decodable {
        struct Step: Decodable {
            var name: String
            var ok: Bool
            var detail: String
            var screenshot: String?
        }
        struct Alert: Decodable, CustomStringConvertible {
            var step: String
            var path: String
            var text: String
            var description: String { "\(step) at \(path): « \(text) »" }
        }
        struct CSV: Decodable {
            var header: [String]
            var rows: Int
        }
        var ok: Bool
        var steps: [Step]
        var unexpectedAlerts: [Alert]
        var consoleErrors: [Report.ConsoleError]
        var externalRequests: [[String: String]]
        var csv: CSV?
        var offer: String?
        var candidate: String?
        var elapsedMs: Int
    }

    /// The steps, in order (portail_flow.py's STEPS); the flow stops at the first that fails.
    static let portailSteps = [
        "connexion", "offres", "nouvelle-offre", "offre-signalee", "deconnexion", "connexion-superviseur",
        "offre-approuvee", "candidat-formulaire", "candidat-fiche", "candidats-classes", "export-csv",
        "effacer-confirmation", "effacement", "import",
    ]

    /// Runs the whole flow against Portail at `base`; screenshots in `screenshots`.
    static func portailFlow(
        base: String, officer: String, supervisor: String, password: String, screenshots: String,
        arguments: [String] = []
    ) async throws -> FlowReport {
        guard let python else {
            throw HarnessError.timedOut(waitingFor: "PASSERELLE_BROWSER_PYTHON", last: "\(skipReason)")
        }
        let script = FileManager.default.currentDirectoryPath + "/Tests/Browser/portail_flow.py"
        let process = try SpawnedProcess(
            executable: URL(fileURLWithPath: python), name: "portail_flow.py",
            [
                script, "--base", base, "--officer", officer, "--supervisor", supervisor, "--password", password,
                "--screenshots", screenshots, "--timeout", "30",
            ] + arguments)
        // The script's own watchdog gives up after 3 × 30 + 120 s.
        let termination = try await process.waitForExit(timeout: .seconds(240))
        guard case .exited(let status) = termination, status == 0 || status == 1 else {
            throw HarnessError.timedOut(
                waitingFor: "portail_flow.py's report (\(termination))", last: process.stderr.suffix(2_000).description)
        }
        return try JSONDecoder().decode(FlowReport.self, from: Data(process.stdout.utf8))
    }
}

@Suite(
    "portail in Chromium: an officer's and a supervisor's day, through the pages", .serialized, .timeLimit(.minutes(5)))
struct PortailBrowserTests {
    @Test(
        "sign in, an offer with worker fees held then approved, a candidate matched with the French breakdown, a CSV export, the erasure",
        .enabled(if: Browser.isAvailable, Browser.skipReason))
    func officerAndSupervisorInChromium() async throws {
        let system = try await RunningPortal.start(everything: true)
        let data = system.portail.dataDirectory
        try await RunningPortal.addUser("binta", role: "officer", data: data)
        try await RunningPortal.addUser("chef", role: "supervisor", data: data)
        let screenshots = Browser.artefacts + "/portail"
        try? FileManager.default.removeItem(atPath: screenshots)
        // The registry's audit names the user Portail acts for only when Portail presents its key.
        let report = try await Browser.portailFlow(
            base: system.portail.base, officer: "binta", supervisor: "chef", password: RunningPortal.password,
            screenshots: screenshots, arguments: TestSecurity.isOn ? ["--expect-audit-names"] : [])

        let failed = report.steps.filter { !$0.ok }.map { "\($0.name): \($0.detail)" }
        #expect(
            report.steps.map(\.name) == Browser.portailSteps,
            "the flow stopped after \(report.steps.count) step(s): \(failed)")
        for step in report.steps {
            #expect(step.ok, "step \(step.name): \(step.detail)")
            let shot = try #require(step.screenshot, "step \(step.name) has no screenshot")
            #expect(FileManager.default.fileExists(atPath: shot), "\(shot)")
        }
        #expect(report.consoleErrors.isEmpty, "\(report.consoleErrors.map { "\($0.kind): \($0.text)" })")
        #expect(report.externalRequests.isEmpty, "\(report.externalRequests)")
        if let csv = report.csv {
            #expect(
                csv.header == [
                    "Référence", "Intitulé", "Pays", "Métier", "Postes", "Employeur", "Statut", "Signalements",
                ],
                "\(csv.header)")
            #expect(csv.rows == 1)
        }
        // No page of the flow should show an alert (an absent error once printed « nil » in one).
        #expect(report.unexpectedAlerts.isEmpty, "alerts on pages that should have none: \(report.unexpectedAlerts)")

        // What the pages did, as the owners hold it: the offer open, the candidate gone.
        guard report.steps.count == Browser.portailSteps.count, let offerId = report.offer,
            let candidateId = report.candidate
        else { return }
        let offer = try await request("GET", system.offers.base + "/offers/\(offerId)")
        #expect(offer.status == 200 && offer.json?["status"] == "open", "\(offer.text)")
        #expect(offer.json?["conditions"]?["workerFees"] == .int(300), "\(offer.text)")
        let candidates = try #require(system.candidates)
        let erased = try await request("GET", candidates.base + "/candidates/\(candidateId)")
        #expect(erased.status == 404, "\(erased.status) \(erased.text)")
    }
}
