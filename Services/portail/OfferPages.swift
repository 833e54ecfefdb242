import CodeLists
import Foundation
import Hummingbird
import Messages
import ServiceKit

/// `/offres`: the offers, filtered and paged, through the offer registry's API.
struct OfferPages {
    let pages: Pages
    let owners: OwnerClient
    static let pageSize = 20

    struct Listing: Decodable {
        var offers: [Offer]
        var total: Int
    }

    /// The filters of the list, as the page's query names them.
    struct Filters {
        var country: String
        var status: String
        var trade: String
        /// « oui »: only offers with a flag.
        var flagged: Bool

        init(_ request: Request) {
            let query = request.uri.queryParameters
            country = query["pays"].map(String.init) ?? ""
            status = query["statut"].map(String.init) ?? ""
            trade = query["metier"].map(String.init) ?? ""
            flagged = query["signalees"] == "oui"
        }

        /// The registry's query for one page.
        func owner(limit: Int, offset: Int) -> String {
            var owner = "/offers?limit=\(limit)&offset=\(offset)"
            for (name, value) in [("country", country), ("status", status), ("occupation", trade)] where !value.isEmpty
            {
                owner += "&\(name)=\(Pages.segment(value))"
            }
            return flagged ? owner + "&flagged=true" : owner
        }

        /// This page's own query, for links (next page, CSV).
        var query: String {
            "pays=\(Pages.segment(country))&statut=\(Pages.segment(status))&metier=\(Pages.segment(trade))"
                + (flagged ? "&signalees=oui" : "")
        }
    }

    /// The columns of the list, and of its CSV.
    static var columns: [String] {
        ["Référence", "Intitulé", "Pays", "Métier", "Postes", "Employeur", "Statut", "Signalements"].map(tr)
    }

    func add(to router: Router<ServiceRequestContext>) {
        router.get("/offres") { request, _ -> Response in
            guard let session = PortalSession.current else { return Pages.redirect("/connexion") }
            let filters = Filters(request)
            // Capped, so that « page=9223372036854775807 » cannot overflow the offset.
            let page = min(max(1, request.uri.queryParameters["page"].flatMap { Int($0) } ?? 1), 1_000_000)
            let answer = try await owners.get(
                owners.offers, filters.owner(limit: Self.pageSize, offset: (page - 1) * Self.pageSize),
                as: session.username)
            var values: [String: Any] = [
                "countryOptions": Self.countryOptions(selected: filters.country),
                "statuses": [("pending", tr("En attente de revue")), ("open", tr("Ouverte")), ("closed", tr("Fermée"))]
                    .map {
                        ["code": $0.0, "name": $0.1, "selected": $0.0 == filters.status]
                    },
                "trade": filters.trade, "flaggedOnly": filters.flagged, "columns": Self.columns,
                "csv": "/offres.csv?\(filters.query)",
            ]
            if let error = answer.error {
                values["error"] = error.message
                return try pages.render("offres", title: "Offres", values, status: .ok)
            }
            let listing = try answer.decode(Listing.self)
            let pagesCount = max(1, (listing.total + Self.pageSize - 1) / Self.pageSize)
            values["offers"] = listing.offers.map(Self.row)
            values["total"] = listing.total
            values["page"] = "\(page) / \(pagesCount)"
            let base = "/offres?\(filters.query)&page="
            if page > 1 { values["previous"] = base + "\(page - 1)" }
            if page < pagesCount { values["next"] = base + "\(page + 1)" }
            return try pages.render("offres", title: "Offres", values)
        }
        // Exactly the list's columns, every page of it (up to 10,000 offers).
        router.get("/offres.csv") { request, _ -> Response in
            guard let session = PortalSession.current else { return Pages.redirect("/connexion") }
            let filters = Filters(request)
            var rows = [Self.columns]
            var offset = 0
            while offset < 10_000 {
                let answer = try await owners.get(
                    owners.offers, filters.owner(limit: 500, offset: offset), as: session.username)
                if let error = answer.error { throw HTTPError(.badGateway, message: error.message) }
                let listing = try answer.decode(Listing.self)
                rows += listing.offers.map(Self.cells)
                offset += 500
                if offset >= listing.total || listing.offers.isEmpty { break }
            }
            return try CSVDownload.response(rows, filename: "passerelle-offres")
        }
    }

    /// One offer as the list's cells, in its columns' order.
    static func cells(_ offer: Offer) -> [String] {
        let row = Self.row(offer)
        return ["reference", "title", "country", "trade", "positions", "employer", "status", "flags"].map {
            "\(row[$0] ?? "")"
        }
    }

    /// One line of the list, in French.
    static func row(_ offer: Offer) -> [String: Any] {
        [
            "id": offer.id, "reference": offer.reference ?? offer.id, "title": offer.title,
            "country": CodeLists.countries[offer.country]?.name ?? offer.country,
            "trade": CodeLists.isco[offer.occupation]?.title ?? offer.occupation, "positions": offer.positions,
            "employer": offer.employer.name, "status": statusName(offer.status),
            "flags": offer.flags.joined(separator: ", "),
            "flagged": !offer.flags.isEmpty,
        ]
    }

    /// The filter's 249 countries as `<option>`s, drawn once per language (10 KB of the page:
    /// through Mustache on every request, they were most of its time); the chosen one marked.
    static func countryOptions(selected: String) -> String {
        let options = PortalSession.current?.language == "en" ? englishCountries : frenchCountries
        guard !selected.isEmpty, let at = options.range(of: "<option value=\"\(Pages.escape(selected))\">") else {
            return options
        }
        return options.replacingCharacters(in: at, with: "<option value=\"\(Pages.escape(selected))\" selected>")
    }

    private static let frenchCountries = CodeLists.countries.entries.map {
        "<option value=\"\(Pages.escape($0.code))\">\(Pages.escape($0.nameFR))</option>"
    }.joined()

    private static let englishCountries = CodeLists.countries.entries.map {
        "<option value=\"\(Pages.escape($0.code))\">"
            + "\(Pages.escape($0.englishName))</option>"
    }.joined()

    static func statusName(_ status: OfferStatus) -> String {
        switch status {
        case .pending: tr("En attente de revue")
        case .open: tr("Ouverte")
        case .closed: tr("Fermée")
        }
    }
}
