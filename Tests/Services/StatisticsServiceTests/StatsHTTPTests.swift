import Foundation
import Hummingbird
import HummingbirdTesting
import Messages
import ServiceKit
import Testing

@testable import statistics

/// The routes on a router of their own over a filled store: what anyone without a key gets.
func withStatsRoutes(
    _ under: StatisticsUnderTest, threshold: Int = 5,
    _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void
) async throws {
    let router = Router(context: ServiceRequestContext.self)
    let reader = StatsReader(database: under.database, threshold: threshold)
    StatsRoutes(reader: reader).add(to: router)
    try DashboardRoutes(reader: reader).add(to: router)
    try await Application(router: router).test(.router, body)
}

/// 3 women from Kayes, 6 women and 4 men from Bamako, and one open offer with two matches.
func smallTown() async throws -> StatisticsUnderTest {
    let under = try StatisticsUnderTest()
    var events: [Event] = [.offerPublished(openOffer("o1", positions: 4))]
    for n in 0..<3 { events.append(.candidateRegistered(person("k\(n)", region: "ML-1"))) }
    for n in 0..<6 { events.append(.candidateRegistered(person("bf\(n)", region: "ML-BKO"))) }
    for n in 0..<4 { events.append(.candidateRegistered(person("bm\(n)", region: "ML-BKO", gender: .male))) }
    events += [.matchFound(match("o1", "k0")), .matchFound(match("o1", "bf0"))]
    try await under.apply(events)
    return under
}

@Suite("statistics over HTTP: public tables, CSV, the dashboard, and bad requests")
struct StatsHTTPTests {
    @Test("the public region × gender table hides the 3 women of Kayes and what would give them away")
    func publicTable() async throws {
        let under = try await smallTown()
        try await withStatsRoutes(under) { client in
            let response = try await client.execute(uri: "/stats/region-gender", method: .get)
            #expect(response.status == .ok)
            let json = try CanonicalJSON.decode(JSONValue.self, from: Array(String(buffer: response.body).utf8))
            #expect(json["view"] == "public" && json["threshold"] == .int(5))
            guard case .array(let rows)? = json["rows"] else { throw TableMissing() }
            let kayes = rows.first { $0["key"] == "ML-1" }
            #expect(kayes?["F"] == "< 5", "\(String(describing: kayes))")
            #expect(kayes?["total"] == "< 5")
            // Kayes' 3 could be worked out as the women's total minus Bamako's 6: hidden too.
            let women = json["total"]?["F"]
            let bamakoWomen = rows.first { $0["key"] == "ML-BKO" }?["F"]
            #expect(
                women == "s" || bamakoWomen == "s",
                "total \(String(describing: women)), Bamako \(String(describing: bamakoWomen)): one masked")
            #expect(json["total"]?["total"] == .int(13), "the grand total is 13 people: shown")
        }
        let exact = try await StatsReader(database: under.database, threshold: 5).table(
            .regionGender, view: .exact, period: .all)
        #expect(exact.rows.first { $0.key == "ML-1" }?.values == [.exact(3), .exact(0), .exact(0), .exact(3)])
    }

    @Test("region and gender repeat region × gender's margins with the same hidden cells")
    func margins() async throws {
        let under = try await smallTown()
        let reader = StatsReader(database: under.database, threshold: 5)
        let twoWay = try await reader.table(.regionGender, view: .public(threshold: 5), period: .all)
        let region = try await reader.table(.region, view: .public(threshold: 5), period: .all)
        let gender = try await reader.table(.gender, view: .public(threshold: 5), period: .all)
        #expect(region.rows.map { $0.values[0] } == twoWay.rows.map { $0.values.last! })
        #expect(gender.rows.map { $0.values[0] } == Array(twoWay.total!.prefix(3)))
        #expect(region.total == [twoWay.total!.last!] && gender.total == region.total)
    }

    @Test("CSV: UTF-8 with a byte-order mark, one header, « < 5 » where hidden, a total row")
    func csv() async throws {
        let under = try await smallTown()
        try await withStatsRoutes(under) { client in
            let response = try await client.execute(uri: "/stats/region?format=csv", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/csv; charset=utf-8")
            let bytes = Array(response.body.readableBytesView)
            #expect(bytes.starts(with: [0xEF, 0xBB, 0xBF]))
            let text = String(decoding: bytes.dropFirst(3), as: UTF8.self)
            let lines = text.split(whereSeparator: \.isNewline)
            #expect(lines.first == "code,libellé,label,Candidats / Candidates", "\(text)")
            #expect(lines.contains { $0.hasPrefix("ML-1,Kayes,Kayes,< 5") }, "\(text)")
            #expect(lines.last == "TOTAL,Total,Total,13", "\(text)")
        }
    }

    @Test("bad requests get a clear error naming the field; the public cannot choose a period")
    func badRequests() async throws {
        let under = try await smallTown()
        let cases: [(uri: String, status: HTTPResponse.Status, field: String?)] = [
            ("/stats/nope", .notFound, "dimension"),
            ("/stats/%3Cscript%3E", .notFound, "dimension"),
            ("/stats/destination?format=xml", .badRequest, "format"),
            ("/stats/destination?from=2027-01", .forbidden, "from"),
            ("/stats/summary?to=2027-01", .forbidden, "to"),
            ("/stats/destination?country=ES", .badRequest, "country"),
        ]
        try await withStatsRoutes(under) { client in
            for example in cases {
                let response = try await client.execute(uri: example.uri, method: .get)
                let json = try? CanonicalJSON.decode(JSONValue.self, from: Array(String(buffer: response.body).utf8))
                #expect(response.status == example.status, "\(example.uri): \(String(buffer: response.body))")
                #expect(json?["error"]?["field"] == example.field.map(JSONValue.string), "\(example.uri)")
                #expect(!String(buffer: response.body).contains("<script>"))
            }
        }
        #expect(throws: APIError.self) { try StatsRoutes.month("2027-13", field: "from") }
        #expect(throws: APIError.self) { try StatsRoutes.month("27-01", field: "from") }
        #expect(try StatsRoutes.month("2027-02-28", field: "to") == "2027-02")
    }

    @Test("officers choose a period: months outside it are not counted")
    func period() async throws {
        let under = try StatisticsUnderTest()
        var april = person("a1")
        april.registeredAt = .april2027
        try await under.apply(.candidateRegistered(person("m1")), .candidateRegistered(april))
        let reader = StatsReader(database: under.database, threshold: 5)
        let march = try await reader.summary(view: .exact, period: Period(from: "2027-03", to: "2027-03"))
        let both = try await reader.summary(view: .exact, period: .all)
        #expect(march.figures.first { $0.key == "candidates" }?.value == .exact(1))
        #expect(both.figures.first { $0.key == "candidates" }?.value == .exact(2))
    }

    @Test("the dashboard: French, six charts each with its table, nothing from elsewhere, text escaped")
    func dashboard() async throws {
        let under = try await smallTown()
        // A hostile code on the bus (the registries validate theirs): shown as text.
        try await under.apply(.offerPublished(openOffer("o2", country: "<script>alert(1)</script>")))
        try await withStatsRoutes(under) { client in
            let response = try await client.execute(uri: "/", method: .get)
            #expect(response.status == .ok)
            let html = String(buffer: response.body)
            #expect(response.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
            #expect(html.contains("<html lang=\"fr\">"))
            #expect(html.components(separatedBy: "<figure data-chart=").count - 1 == 6)
            #expect(html.components(separatedBy: "<table>").count - 1 == 6)
            #expect(html.contains("data-value=\"4\""), "the offer's 4 positions are drawn")
            #expect(!html.contains("<script"), "no script, and the hostile code escaped")
            #expect(html.contains("&lt;script&gt;"))
            let external = html.ranges(of: /(src|href)="(https?:)?\/\//).count
            #expect(external == 0, "nothing fetched from elsewhere")
            let css = try await client.execute(uri: "/tableau.css", method: .get)
            #expect(css.status == .ok && css.headers[.contentType] == "text/css; charset=utf-8")
        }
    }
}

struct TableMissing: Error {}
