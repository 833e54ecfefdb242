import Foundation
import Hummingbird
import Mustache
import ServiceKit

/// `GET /`: the French dashboard, rendered by the server (readable on a phone, usable with a
/// screen reader, nothing fetched from elsewhere); `GET /tableau.css` its stylesheet.
/// Anyone gets the public view; an officer's or statistics key gets the exact one.
struct DashboardRoutes {
    let reader: StatsReader
    let library: MustacheLibrary

    init(reader: StatsReader) throws {
        self.reader = reader
        var library = MustacheLibrary()
        for (name, text) in DashboardTemplates.all { try library.register(text, named: name) }
        self.library = library
    }

    /// Only this service's own stylesheet; no script at all.
    static let policy =
        "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    func add(to router: Router<ServiceRequestContext>) {
        router.get("/") { _, _ -> Response in
            let role = APICaller.current?.role
            let view: View = role == .officer || role == .statistics ? .exact : .public(threshold: reader.threshold)
            let page = try await page(view: view)
            guard let html = library.render(page, withTemplate: "page") else {
                throw APIError(.internalServerError, code: "template", message: "page non rendue / page not rendered")
            }
            return Response(
                status: .ok,
                headers: [
                    .contentType: "text/html; charset=utf-8", .contentSecurityPolicy: Self.policy,
                    .xContentTypeOptions: "nosniff", .cacheControl: "no-store",
                ],
                body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
        }
        router.get("/tableau.css") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/css; charset=utf-8", .xContentTypeOptions: "nosniff"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: DashboardTemplates.stylesheet)))
        }
    }

    func page(view: View) async throws -> DashboardPage {
        let summary = try await reader.summary(view: view, period: .all)
        var charts: [DashboardPage.Chart] = []
        let threshold = reader.threshold
        let destination = try await reader.table(.destination, view: view, period: .all)
        charts.append(.bars(destination, column: "positions", id: "destination", threshold: threshold, limit: 15))
        let trade = try await reader.table(.trade, view: view, period: .all)
        charts.append(.bars(trade, column: "positions", id: "trade", threshold: threshold))
        let month = try await reader.table(.month, view: view, period: .all)
        charts.append(.columns(month, columns: ["offers", "candidates"], id: "month", threshold: threshold))
        let funnel = try await reader.table(.funnel, view: view, period: .all)
        charts.append(.bars(funnel, column: "candidates", id: "funnel", threshold: threshold, sorted: false))
        let unmet = try await reader.table(.unmetDemand, view: view, period: .all)
        charts.append(.bars(unmet, column: "unmetPositions", id: "unmet-demand", threshold: threshold, limit: 15))
        let region = try await reader.table(.region, view: view, period: .all)
        charts.append(.bars(region, column: "candidates", id: "region", threshold: threshold))
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "fr_FR")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "d MMMM yyyy 'à' HH:mm 'UTC'"
        return DashboardPage(
            generated: formatter.string(from: Date()), isPublic: view != .exact, threshold: reader.threshold,
            hiddenText: Count.fewer.text(threshold: threshold), maskedText: Count.maskedMark,
            figures: summary.figures.map { .init(label: $0.title.fr, value: summary.shown($0.value)) },
            charts: charts)
    }
}

/// What the page template renders.
struct DashboardPage {
    struct Figure {
        var label: String
        var value: String
    }

    struct Table {
        struct Row {
            var label: String
            var cells: [String]
        }
        struct Total { var cells: [String] }
        var caption: String
        var headers: [String]
        var rows: [Row]
        var total: Total?
    }

    struct Chart {
        var id: String
        var title: String
        var titleEN: String
        var bars: Charts.Bars?
        var columns: Charts.Columns?
        var empty: Bool
        var table: Table?
        var notes: [Words]

        /// The table under a chart: every column of the published table, « < k » where hidden.
        static func table(_ source: StatTable, threshold: Int, limit: Int?) -> Table {
            let rows = limit.map { Array(source.rows.prefix($0)) } ?? source.rows
            func text(_ value: Count) -> String { value.text(threshold: threshold) }
            return Table(
                caption: source.title.fr, headers: [source.rowTitle.fr] + source.columns.map(\.title.fr),
                rows: rows.map { Table.Row(label: $0.label.fr, cells: $0.values.map(text)) },
                total: (limit == nil || source.rows.count <= (limit ?? 0))
                    ? source.total.map { Table.Total(cells: $0.map(text)) } : nil)
        }

        static func bars(
            _ source: StatTable, column: String, id: String, threshold: Int, limit: Int? = nil, sorted: Bool = true
        ) -> Chart {
            let index = source.column(column) ?? 0
            var rows = source.rows
            if sorted {
                rows.sort { ($0.values[index].number ?? -1, $1.key) > ($1.values[index].number ?? -1, $0.key) }
            }
            if let limit { rows = Array(rows.prefix(limit)) }
            var shown = source
            shown.rows = rows
            return Chart(
                id: id, title: source.title.fr, titleEN: source.title.en,
                bars: rows.isEmpty
                    ? nil : Charts.bars(rows.map { ($0.label.fr, $0.values[index]) }, id: id, threshold: threshold),
                columns: nil, empty: rows.isEmpty,
                table: rows.isEmpty ? nil : table(shown, threshold: threshold, limit: nil),
                notes: source.notes)
        }

        static func columns(_ source: StatTable, columns: [String], id: String, threshold: Int) -> Chart {
            let indices = columns.compactMap { source.column($0) }
            let months = source.rows.map { row in (label: row.label.fr, values: indices.map { row.values[$0] }) }
            return Chart(
                id: id, title: source.title.fr, titleEN: source.title.en,
                bars: nil,
                columns: months.isEmpty
                    ? nil
                    : Charts.columns(
                        months, series: indices.map { source.columns[$0].title.fr }, id: id, threshold: threshold),
                empty: months.isEmpty, table: months.isEmpty ? nil : table(source, threshold: threshold, limit: nil),
                notes: source.notes)
        }
    }

    var generated: String
    var isPublic: Bool
    var threshold: Int
    var hiddenText: String
    var maskedText: String
    var figures: [Figure]
    var charts: [Chart]
}
