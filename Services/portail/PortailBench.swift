import ArgumentParser
import AsyncHTTPClient
import Foundation
import Messages
import NIOCore
import ServiceKit

/// `portail bench`: p50 and p99 of the offers list (`/offres`) and of an offer's matches page
/// (`/offres/{id}/candidats`), signed in as an officer, against the owners' API calls alone
/// that each page makes (the yardstick). It lives in the service, as `statistics bench` does,
/// so that the yardstick follows the pages' own constants; `compose/dev bench portail` starts
/// and seeds the owners and Portail, then runs it.
struct PortailBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measures Portail's offers list and matches page against the owners' calls they make.",
        discussion: """
            Signs in at --portail as --username (the password is read from standard input, one line), \
            like a browser: the sign-in form, its token, the session cookie. Then --rounds rounds, after \
            --warm-up untimed turns, of --requests turns each; a turn times, one request at a time on \
            kept-alive connections, each page and its yardstick (the owners' calls the page makes, in \
            its order, with Portail's headers: PortailBench+Calls.swift, ownerCalls), the page first \
            on even turns and the yardstick first on odd ones, and two references: GET /health (a \
            round trip to Portail) and GET / (the door's session read and the layout). Figures are \
            medians over the rounds of each round's p50 and p99. A page that does not answer 200, or \
            shows other offers or another number of candidates than its owners hold, stops the \
            benchmark with exit status 1. The owners' URLs default to PASSERELLE_OFFER_REGISTRY_URL, \
            PASSERELLE_CANDIDATE_REGISTRY_URL and PASSERELLE_MATCHER_URL, as Portail reads them, and \
            the owners' key to PASSERELLE_PORTAIL_API_KEY.
            """)

    @Option(help: ArgumentHelp("Portail's URL.", valueName: "URL"))
    var portail: String

    @Option(
        name: .customLong("offer-registry"),
        help: ArgumentHelp("The offer registry's URL; default http://127.0.0.1:8081.", valueName: "URL"))
    var offerRegistry: String?

    @Option(
        name: .customLong("candidate-registry"),
        help: ArgumentHelp("The candidate registry's URL; default http://127.0.0.1:8082.", valueName: "URL"))
    var candidateRegistry: String?

    @Option(help: ArgumentHelp("The matcher's URL; default http://127.0.0.1:8083.", valueName: "URL"))
    var matcher: String?

    @Option(help: "An officer's or supervisor's Portail account (`portail user add`).")
    var username: String

    @Option(
        help: ArgumentHelp(
            "The offer whose matches page is measured, by id or reference; default: the open offer with the most "
                + "matches.", valueName: "ID"))
    var offer: String?

    @Option(help: "Timed turns per round (each turn: both pages, their yardsticks, the two references).")
    var requests = 500

    @Option(help: "Measured rounds.")
    var rounds = 3

    @Option(name: .customLong("warm-up"), help: "Untimed turns before the first round.")
    var warmUp = 50

    /// `compose/dev bench portail` checks its extra arguments before minutes of set-up.
    @Flag(name: .customLong("check-arguments"), help: .hidden)
    var checkArguments = false

    func validate() throws {
        for (option, value) in [
            ("--portail", Optional(portail)), ("--offer-registry", offerRegistry),
            ("--candidate-registry", candidateRegistry), ("--matcher", matcher),
        ] {
            guard let value else { continue }
            guard let url = URL(string: value), ["http", "https"].contains(url.scheme ?? ""), url.host != nil,
                !value.hasSuffix("/")
            else {
                throw ValidationError(
                    "\(option): expected a URL such as http://127.0.0.1:8080 (no trailing /), not '\(value)'")
            }
        }
        for (option, value, least) in [
            ("--requests", requests, 1), ("--rounds", rounds, 1), ("--warm-up", warmUp, 0),
        ] where value < least {
            throw ValidationError("\(option) must be at least \(least), not \(value)")
        }
    }

    func run() async throws {
        if checkArguments { return }
        guard let password = readLine(strippingNewline: true), !password.isEmpty else {
            FileHandle.standardError.write(
                Data("Error: the password of --username \(username): none on standard input (one line)\n".utf8))
            throw ExitCode.validationFailure
        }
        let client = BenchHTTP.client()
        do {
            try await measure(client: client, password: password)
            try await client.shutdown()
        } catch let failure as PortailBenchFailure {
            try? await client.shutdown()
            let banner = String(repeating: "!", count: 72)
            say("\(banner)\nPORTAIL BENCH FAILED: \(failure.description)\n\(banner)")
            throw ExitCode.failure
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    private func measure(client: HTTPClient, password: String) async throws {
        let environment = ProcessInfo.processInfo.environment
        func url(_ given: String?, _ variable: String, _ fallback: String) -> String {
            given ?? environment[variable] ?? "http://\(fallback)"
        }
        let owners = BenchOwners(
            offers: url(offerRegistry, "PASSERELLE_OFFER_REGISTRY_URL", "127.0.0.1:8081"),
            candidates: url(candidateRegistry, "PASSERELLE_CANDIDATE_REGISTRY_URL", "127.0.0.1:8082"),
            matches: url(matcher, "PASSERELLE_MATCHER_URL", "127.0.0.1:8083"),
            apiKey: environment["PASSERELLE_PORTAIL_API_KEY"].flatMap { $0.isEmpty ? nil : $0 })
        var http = BenchHTTP(client: client, portail: portail, owners: owners, officer: username)
        try await http.signIn(password: password)
        let browser = http
        let setting = try await BenchSetting.read(browser, offer: offer)
        say(PortailBenchReport.header(setting, http: browser, requests: requests, rounds: rounds, warmUp: warmUp))
        let plan = BenchPage.allCases.map { page in
            (
                page: page, path: page.path(offer: setting.offer.id),
                calls: page.ownerCalls(owners, offer: setting.offer.id, ranked: setting.ranked)
            )
        }
        let sizes = try await setting.check(browser, paths: plan.map(\.path))
        say(
            "pages checked (what the owners hold, names shown): "
                + zip(plan, sizes).map { "\($0.page.rawValue) \(PortailBenchReport.grouped($1)) bytes" }
                .joined(separator: ", "))
        var measured: [[PortailBenchReport.Series: [Double]]] = []
        for index in 0...self.rounds {
            let turns = index == 0 ? warmUp : requests
            var timings: [PortailBenchReport.Series: [Double]] = [:]
            for turn in 0..<turns {
                for (page, path, calls) in plan {
                    let pageTime = { try await Self.timed { try await browser.page(path) } }
                    var each: [Double] = []
                    let ownersTime = {
                        try await Self.timed {
                            each = []
                            for call in calls { each.append(try await Self.timed { try await browser.owner(call) }) }
                        }
                    }
                    let (first, second) = turn % 2 == 0 ? (pageTime, ownersTime) : (ownersTime, pageTime)
                    let times = (try await first(), try await second())
                    let (mine, theirs) = turn % 2 == 0 ? times : (times.1, times.0)
                    timings[.page(page), default: []].append(mine)
                    timings[.owners(page), default: []].append(theirs)
                    for (index, time) in each.enumerated() { timings[.call(page, index), default: []].append(time) }
                }
                timings[.hop, default: []].append(try await Self.timed { try await browser.open("/health") })
                timings[.door, default: []].append(try await Self.timed { try await browser.page("/") })
            }
            guard index > 0 else { continue }
            say(PortailBenchReport.roundLine(index, of: self.rounds, timings))
            measured.append(timings)
        }
        var decoding: [BenchPage: [Double]] = [:]
        for (page, _, calls) in plan {
            var bodies: [ByteBuffer] = []
            for call in calls { bodies.append(try await browser.owner(call).body) }
            for _ in 0..<requests {
                decoding[page, default: []].append(try await Self.timed { try OwnerBodies.decode(page, bodies) })
            }
        }
        say()
        say(PortailBenchReport.table(measured))
        say()
        say(PortailBenchReport.breakdown(measured, decoding: decoding, setting: setting, owners: owners))
        say("at the end: \(PortailBenchReport.loadAverage())")
    }

    /// Milliseconds `body` took.
    static func timed(_ body: () async throws -> Void) async throws -> Double {
        let start = ContinuousClock.now
        try await body()
        return start.duration(to: .now) / .milliseconds(1)
    }

    private func say(_ text: String = "") { PortailBenchReport.say(text) }
}
