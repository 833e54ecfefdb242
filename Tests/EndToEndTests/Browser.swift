import Foundation
import ServiceKit
import Testing

/// Tests/Browser/check_page.py, which drives Debian's Chromium through Playwright for Python
/// (`compose/dev test` installs both and sets `PASSERELLE_BROWSER_PYTHON`); its JSON report.
enum Browser {
    static var python: String? { ProcessInfo.processInfo.environment["PASSERELLE_BROWSER_PYTHON"] }

    /// Under `compose/dev test` the browser tests must run; run by hand without the browser
    /// installed, they are skipped, saying why.
    static var isAvailable: Bool { python != nil || TestSecurity.isOn }
    static let skipReason: Comment =
        "no PASSERELLE_BROWSER_PYTHON: compose/dev test installs Chromium and Playwright and sets it"

    /// Where screenshots are kept after the run (`.build/test-artefacts`, or PASSERELLE_TEST_ARTEFACTS).
    static var artefacts: String {
        let directory =
            ProcessInfo.processInfo.environment["PASSERELLE_TEST_ARTEFACTS"]
            ?? FileManager.default.currentDirectoryPath + "/.build/test-artefacts"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    struct Report: Decodable {
        struct Chart: Decodable {
            var name: String
            var svg: Bool
            var marks: Int
            var values: [String]
            var table: Bool
            var tableRows: Int
            var caption: String
            var complete: Bool
        }
        struct ConsoleError: Decodable {
            var kind: String
            var text: String
        }
        var status: Int?
        var lang: String?
        var title: String?
        var consoleErrors: [ConsoleError]
        var externalRequests: [[String: String]]
        var charts: [Chart]
        var viewportOverflow: Bool?
        var problems: [String]
        var ok: Bool

        func chart(_ name: String) -> Chart? { charts.first { $0.name == name } }
    }

    /// Loads `url` in Chromium, keeps a screenshot named `name`, returns the report.
    static func check(_ url: String, name: String, arguments: [String] = []) async throws -> Report {
        guard let python else {
            throw HarnessError.timedOut(waitingFor: "PASSERELLE_BROWSER_PYTHON", last: "\(skipReason)")
        }
        let script = FileManager.default.currentDirectoryPath + "/Tests/Browser/check_page.py"
        let process = try SpawnedProcess(
            executable: URL(fileURLWithPath: python), name: "check_page.py",
            [script, "--url", url, "--screenshot", artefacts + "/\(name).png"] + arguments)
        let termination = try await process.waitForExit(timeout: .seconds(120))
        guard case .exited(let status) = termination, status == 0 || status == 1 else {
            throw HarnessError.timedOut(
                waitingFor: "check_page.py's report (\(termination))", last: process.stderr.suffix(2_000).description)
        }
        return try JSONDecoder().decode(Report.self, from: Data(process.stdout.utf8))
    }
}
