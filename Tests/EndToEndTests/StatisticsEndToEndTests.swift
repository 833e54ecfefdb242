import Foundation
import GRDB
import Messages
import ServiceKit
import ServiceTesting
import Testing

/// The registries, the matcher and statistics filled by `passerelle demo`.
struct DemoSystem {
    let broker: RunningBroker
    let offers: RunningService
    let candidates: RunningService
    let matcher: RunningService
    var statistics: RunningService

    static func start(offers offerCount: Int = 20, candidates candidateCount: Int = 300) async throws -> DemoSystem {
        let broker = try await RunningBroker.start()
        let offers = try await RunningService.start(
            "offer-registry", broker: broker, dataDirectory: scratchDirectory("s-offers"))
        let candidates = try await RunningService.start(
            "candidate-registry", broker: broker, dataDirectory: scratchDirectory("s-candidates"))
        let matcher = try await RunningService.start(
            "matcher", broker: broker, dataDirectory: scratchDirectory("s-matcher"))
        let statistics = try await RunningService.start(
            "statistics", broker: broker, dataDirectory: scratchDirectory("s-statistics"))
        let demo = try SpawnedProcess(
            "passerelle",
            [
                "demo", "--offers", "\(offerCount)", "--candidates", "\(candidateCount)", "--offer-registry",
                offers.base, "--candidate-registry", candidates.base,
            ])
        #expect(try await demo.waitForExit(timeout: .seconds(120)) == .exited(0), "\(demo.stdout)\n\(demo.stderr)")
        return DemoSystem(
            broker: broker, offers: offers, candidates: candidates, matcher: matcher, statistics: statistics)
    }

    /// What the owners hold, read from their SQLite files: the figures statistics must show.
    func owners() throws -> [String: Int] {
        let offers = try Self.read(offers.dataDirectory, "offer-registry") { db in
            try Data.fetchAll(db, sql: "SELECT record FROM offers").map {
                try CanonicalJSON.decode(Offer.self, from: $0)
            }
        }
        let counted = Set(
            try Self.read(candidates.dataDirectory, "candidate-registry") { db in
                try Data.fetchAll(db, sql: "SELECT profile FROM candidates").map {
                    try CanonicalJSON.decode(CandidateProfile.self, from: $0)
                }
            }.filter(\.consent.statistics).map(\.id))
        let matches = try Self.read(matcher.dataDirectory, "matcher") { db in
            try String.fetchAll(db, sql: "SELECT candidate_id FROM matches")
        }
        let everOpen = offers.filter { $0.openedAt != nil }
        return [
            "offers": everOpen.count, "positions": everOpen.reduce(0) { $0 + $1.positions },
            "openPositions": everOpen.filter { $0.status == .open }.reduce(0) { $0 + $1.positions },
            "candidates": counted.count, "matches": matches.filter(counted.contains).count,
        ]
    }

    static func read<T>(_ directory: String, _ name: String, _ body: (Database) throws -> T) throws -> T {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: directory + "/\(name).sqlite", configuration: configuration)
        defer { try? queue.close() }
        return try queue.read(body)
    }

    /// Waits (bounded) until the owners have settled (the matcher still matches for a while
    /// after the demo) and the exact summary shows what they hold; returns it.
    func summaryMatchingOwners(timeout: Duration = .seconds(60)) async throws -> JSONValue {
        var last = ""
        var settled: (figures: [String: Int], since: ContinuousClock.Instant)?
        do {
            return try await waitUntil("statistics to show what the owners hold", timeout: timeout) {
                let expected = try owners()
                if settled?.figures != expected { settled = (expected, .now) }
                let summary = try await request("GET", statistics.base + "/stats/summary")
                last = "expected \(expected), summary \(summary.text)"
                guard summary.status == 200, let json = summary.json, let since = settled?.since,
                    since.duration(to: .now) > .seconds(2)
                else { return nil }
                let agrees = expected.allSatisfy { key, value in json[key] == .int(Int64(value)) }
                return agrees && expected["matches", default: 0] > 0 ? json : nil
            }
        } catch {
            Issue.record("\(last)")
            throw error
        }
    }
}

@Suite(
    "statistics end to end: demo data counted, public tables safe, rebuilt from the bus", .serialized,
    .timeLimit(.minutes(5)))
struct StatisticsEndToEndTests {
    @Test("the summary equals what the registries and the matcher hold; the public view hides small counts")
    func summaryEqualsOwners() async throws {
        let system = try await DemoSystem.start()
        let summary = try await system.summaryMatchingOwners()
        #expect(summary["view"] == "exact" || !TestSecurity.isOn)
        // No key: the public view, whole period only, « < 5 » where people are few.
        let public_ = try await request("GET", system.statistics.base + "/stats/region-gender", auth: .none)
        #expect(public_.status == 200 && public_.json?["view"] == "public", "\(public_.text)")
        let hidden = public_.text.components(separatedBy: "\"< 5\"").count - 1
        #expect(hidden > 0, "300 people in 20 regions: some cells are small, \(public_.text)")
        let dated = try await request(
            "GET", system.statistics.base + "/stats/destination?from=2026-01", auth: .none)
        #expect(dated.status == 403 && dated.errorField == "from", "\(dated.text)")
        let csv = try await request("GET", system.statistics.base + "/stats/destination?format=csv", auth: .none)
        #expect(csv.status == 200 && csv.body.starts(with: [0xEF, 0xBB, 0xBF]), "UTF-8 with a byte-order mark")
        #expect(csv.headers.first { $0.key.lowercased() == "content-type" }?.value.hasPrefix("text/csv") == true)
        #expect(csv.text.contains("Pays") || csv.text.contains("code,libellé"), "\(csv.text.prefix(200))")
        if TestSecurity.isOn {
            let agency = try await request("GET", system.statistics.base + "/stats/summary", auth: .role(.agency))
            #expect(agency.status == 403, "an agency key is refused, not taken for the public: \(agency.text)")
            let wrong = try await request("GET", system.statistics.base + "/stats/summary", auth: .key("nope"))
            #expect(wrong.status == 401, "\(wrong.text)")
            let reader = try await request("GET", system.statistics.base + "/stats/summary", auth: .role(.statistics))
            #expect(reader.json?["view"] == "exact", "\(reader.text)")
        }
    }

    @Test("with its database deleted, statistics replays the streams and arrives at the same numbers")
    func rebuild() async throws {
        var system = try await DemoSystem.start(offers: 12, candidates: 150)
        let before = try await system.summaryMatchingOwners()
        var tables: [String: String] = [:]
        for dimension in ["destination", "region-gender", "trade", "funnel", "unmet-demand", "month"] {
            tables[dimension] = try await request("GET", system.statistics.base + "/stats/\(dimension)").text
        }
        system.statistics.process.signal(SIGTERM)
        #expect(try await system.statistics.process.waitForExit(timeout: .seconds(20)) == .exited(0))
        let directory = system.statistics.dataDirectory
        try FileManager.default.removeItem(atPath: directory)
        system.statistics = try await RunningService.start(
            "statistics", broker: system.broker, dataDirectory: directory)
        let after = try await system.summaryMatchingOwners()
        #expect(after == before)
        for (dimension, text) in tables {
            let again = try await request("GET", system.statistics.base + "/stats/\(dimension)").text
            #expect(again == text, "\(dimension) differs after the rebuild")
        }
    }

    @Test(
        "Chromium loads the dashboard: every chart drawn with its data, no console error, readable on a phone",
        .enabled(if: Browser.isAvailable, Browser.skipReason))
    func dashboardInBrowser() async throws {
        let system = try await DemoSystem.start()
        _ = try await system.summaryMatchingOwners()
        let page = system.statistics.base + "/"
        let desktop = try await Browser.check(page, name: "statistics-dashboard", arguments: ["--expect-charts", "6"])
        #expect(desktop.ok, "\(desktop.problems)")
        #expect(desktop.status == 200 && desktop.lang == "fr")
        #expect(desktop.consoleErrors.isEmpty, "\(desktop.consoleErrors.map(\.text))")
        #expect(desktop.externalRequests.isEmpty, "\(desktop.externalRequests)")
        let names = Set(desktop.charts.map(\.name))
        #expect(names == ["destination", "trade", "month", "funnel", "unmet-demand", "region"], "\(names)")
        // The bars are the public tables' numbers (the page is public: no key in a browser).
        for (chart, dimension, column) in [
            ("destination", "destination", "positions"), ("region", "region", "candidates"),
            ("funnel", "funnel", "candidates"),
        ] {
            let table = try await request("GET", system.statistics.base + "/stats/\(dimension)", auth: .none)
            guard case .array(let rows)? = table.json?["rows"] else {
                Issue.record("/stats/\(dimension) has no rows: \(table.text)")
                continue
            }
            let published = rows.compactMap { row -> Int64? in
                if case .int(let value)? = row[column] { value } else { nil }
            }
            let drawn = desktop.chart(chart)?.values.compactMap { Int64($0) } ?? []
            #expect(!drawn.isEmpty && drawn.sorted() == published.sorted(), "\(chart): \(drawn) vs \(published)")
        }
        let phone = try await Browser.check(
            page, name: "statistics-dashboard-phone",
            arguments: ["--expect-charts", "6", "--viewport", "390x844", "--mobile", "--forbid-overflow"])
        #expect(phone.ok, "\(phone.problems)")
        #expect(phone.viewportOverflow == false)
    }
}
