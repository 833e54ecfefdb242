import Foundation
import Hummingbird
import ServiceKit

/// `GET /stats`, `/stats/summary`, `/stats/{dimension}` (JSON, or CSV with `?format=csv`).
/// Without an API key: the public view, whole period only. With a `statistics` or `officer`
/// key: exact counts, and `from` / `to` (months, `YYYY-MM` or a date in it).
struct StatsRoutes {
    let reader: StatsReader

    func add(to router: Router<ServiceRequestContext>) {
        router.get("/stats") { _, _ -> Response in
            APIBody.response(
                Catalogue(
                    dimensions: Dimension.allCases.map {
                        Catalogue.Entry(name: $0.rawValue, title: $0.title, path: "/stats/\($0.rawValue)")
                    }, threshold: reader.threshold))
        }
        router.get("/stats/summary") { request, _ -> Response in
            let (view, period, format) = try parameters(request)
            let summary = try await reader.summary(view: view, period: period)
            return format == "csv"
                ? try CSVDownload.response(summary.csvRows, filename: "passerelle-resume") : APIBody.response(summary)
        }
        router.get("/stats/:dimension") { request, context -> Response in
            let name = context.parameters.get("dimension") ?? ""
            guard let dimension = Dimension(rawValue: name) else {
                throw APIError(
                    .notFound, code: "unknown-dimension",
                    message: "« \(name) » n’est pas une statistique connue (voir /stats) / "
                        + "'\(name)' is not a known statistic (see /stats)",
                    field: "dimension")
            }
            let (view, period, format) = try parameters(request)
            let table = try await reader.table(dimension, view: view, period: period)
            return format == "csv"
                ? try CSVDownload.response(
                    CSVFile.rows(table, view: view), filename: "passerelle-\(dimension.rawValue)")
                : APIBody.response(StatTableDocument(table: table, view: view, period: period))
        }
    }

    /// The view the caller may have, the period asked and the format.
    private func parameters(_ request: Request) throws -> (View, Period, String) {
        let query = QueryParameters(request)
        try query.only(["from", "to", "format"])
        let format = query["format"] ?? "json"
        guard ["json", "csv"].contains(format) else {
            throw APIError(
                .badRequest, code: "invalid-parameter", message: "format : json ou csv / format: json or csv",
                field: "format")
        }
        let role = APICaller.current?.role
        let exact = role == .officer || role == .statistics
        if !exact, query["from"] != nil || query["to"] != nil {
            throw APIError(
                .forbidden, code: "period-for-officers",
                message: "les tableaux publics couvrent toute la période ; une période se demande avec une clé "
                    + "statistics ou officer / public tables cover the whole period; a period needs a statistics "
                    + "or officer API key",
                field: query["from"] != nil ? "from" : "to")
        }
        let from = try query["from"].map { try Self.month($0, field: "from") } ?? Period.all.from
        let to = try query["to"].map { try Self.month($0, field: "to") } ?? Period.all.to
        guard from <= to else {
            throw APIError(
                .badRequest, code: "invalid-parameter",
                message: "from (\(from)) est après to (\(to)) / from is after to", field: "from")
        }
        return (exact ? .exact : .public(threshold: reader.threshold), Period(from: from, to: to), format)
    }

    /// `2027-03` or `2027-03-15` → `2027-03`.
    static func month(_ text: String, field: String) throws -> String {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count), parts[0].count == 4, let year = Int(parts[0]), year >= 1900,
            parts[1].count == 2, let month = Int(parts[1]), (1...12).contains(month),
            parts.count == 2 || (parts[2].count == 2 && Int(parts[2]).map { (1...31).contains($0) } == true)
        else {
            throw APIError(
                .badRequest, code: "invalid-parameter",
                message:
                    "\(field) : mois AAAA-MM ou date AAAA-MM-JJ attendu / month YYYY-MM or date YYYY-MM-DD expected",
                field: field)
        }
        return "\(parts[0])-\(parts[1])"
    }
}

/// `GET /stats`: the tables there are.
struct Catalogue: Encodable {
    struct Entry: Encodable {
        var name: String
        var title: Words
        var path: String
    }
    var dimensions: [Entry]
    var threshold: Int
}

/// A table as CSV rows (ServiceKit's `CSVDownload` writes them).
enum CSVFile {
    static func rows(_ table: StatTable, view: View) -> [[String]] {
        let threshold = if case .public(let threshold) = view { threshold } else { 0 }
        let header =
            ["code", "libellé", "label"] + table.columns.map { "\($0.title.fr) / \($0.title.en)" }
        var rows = [header]
        for row in table.rows {
            rows.append([row.key, row.label.fr, row.label.en] + row.values.map { $0.text(threshold: threshold) })
        }
        if let total = table.total {
            rows.append(["TOTAL", "Total", "Total"] + total.map { $0.text(threshold: threshold) })
        }
        return rows
    }
}
