import CodeLists
import Foundation
import Hummingbird
import Messages

/// `/offres`: the offers, filtered and paged, through the offer registry's API.
struct OfferPages {
    let pages: Pages
    let owners: OwnerClient
    static let pageSize = 20

    struct Listing: Decodable {
        var offers: [Offer]
        var total: Int
    }

    func add(to router: Router<BasicRequestContext>) {
        router.get("/offres") { request, _ -> Response in
            guard let session = PortalSession.current else { return Pages.redirect("/connexion") }
            let query = request.uri.queryParameters
            let country = query["pays"].map(String.init) ?? ""
            let status = query["statut"].map(String.init) ?? ""
            let trade = query["metier"].map(String.init) ?? ""
            let page = max(1, query["page"].flatMap { Int($0) } ?? 1)
            var owner = "/offers?limit=\(Self.pageSize)&offset=\((page - 1) * Self.pageSize)"
            for (name, value) in [("country", country), ("status", status), ("occupation", trade)] where !value.isEmpty
            {
                owner += "&\(name)=\(Pages.segment(value))"
            }
            let answer = try await owners.get(owners.offers, owner, as: session.username)
            var values: [String: Any] = [
                "countries": CodeLists.countries.entries.map {
                    ["code": $0.code, "name": $0.nameFR, "selected": $0.code == country]
                },
                "statuses": [("pending", "En attente de revue"), ("open", "Ouverte"), ("closed", "Fermée")].map {
                    ["code": $0.0, "name": $0.1, "selected": $0.0 == status]
                },
                "trade": trade,
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
            let encoded = [country, status, trade].map(Pages.segment)
            let base = "/offres?pays=\(encoded[0])&statut=\(encoded[1])&metier=\(encoded[2])&page="
            if page > 1 { values["previous"] = base + "\(page - 1)" }
            if page < pagesCount { values["next"] = base + "\(page + 1)" }
            return try pages.render("offres", title: "Offres", values)
        }
    }

    /// One line of the list, in French.
    static func row(_ offer: Offer) -> [String: Any] {
        [
            "id": offer.id, "reference": offer.reference ?? offer.id, "title": offer.title,
            "country": CodeLists.countries[offer.country]?.nameFR ?? offer.country,
            "trade": CodeLists.isco[offer.occupation]?.titleFR ?? offer.occupation, "positions": offer.positions,
            "employer": offer.employer.name, "status": statusName(offer.status),
            "flags": offer.flags.joined(separator: ", "),
            "flagged": !offer.flags.isEmpty,
        ]
    }

    static func statusName(_ status: OfferStatus) -> String {
        switch status {
        case .pending: "En attente de revue"
        case .open: "Ouverte"
        case .closed: "Fermée"
        }
    }
}
