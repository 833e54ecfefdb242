import Foundation
import Hummingbird
import Messages
import ServiceKit

/// `/offres/{id}/candidats`: the candidates the matcher ranked for an offer, 50 a page, each
/// with the breakdown of the score in French and the officers' marks (shortlisted, contacted),
/// which two small forms switch (``MatchFollowUpForms``); « Présélectionnés seulement »
/// filters; `.csv` exports every page.
///
/// The owner calls, kept simple for the benchmark that mirrors them:
/// - the page: `GET /offers/{id}` (offer registry); `GET /matches?offer={offerId}&limit=50&offset=…`
///   (`&shortlisted=true` when filtered; matcher); `GET /candidates?limit=50&ids=…` (the names of
///   the page, one call; candidate registry; skipped when the page is empty);
/// - a mark: `PUT /matches/{offerId}/{candidateId}/follow-up` (matcher), then 303 to the page;
/// - the CSV: `GET /offers/{id}`, then `GET /matches?offer={offerId}&limit=500&offset=…` until `total`.
struct MatchPages {
    let pages: Pages
    let owners: OwnerClient
    static let pageSize = 50

    /// A match as the matcher lists it, with the marks (absent from an older matcher).
    struct Listed: Decodable {
        var offerId: String
        var candidateId: String
        var score: Double
        var breakdown: [RuleScore]
        var rank: Int?
        var shortlisted: Bool?
        var contacted: Bool?
        var contactedAt: String?
        var version: Int?
    }

    struct MatchList: Decodable {
        var matches: [Listed]
        var total: Int?
    }

    /// Only the names of the registry's candidates: the page shows nothing else of them, and
    /// decoding whole profiles was a sixth of its time.
    struct Names: Decodable {
        struct Person: Decodable {
            struct Name: Decodable {
                var given: String
                var family: String
            }
            var id: String
            var name: Name
        }
        var candidates: [Person]
    }

    /// The rules' names as officers read them.
    static let rules = [
        "occupation": "Métier", "languages": "Langues", "education": "Études", "experience": "Expérience",
        "destination": "Destination", "availability": "Disponibilité", "skills": "Compétences",
        "drivingLicences": "Permis",
    ]

    /// The list's columns, and its CSV's.
    static var columns: [String] {
        ["Rang", "Candidat", "Score", "Présélectionné", "Contacté", "Contacté le"].map(tr)
    }

    /// « français / English » → the half the officer reads.
    static func french(_ text: String, english: Bool) -> String {
        OwnerClient.Answer.inLanguage(text, english: english)
    }

    /// `2026-05-04T09:30:12.345Z` → « 2026-05-04 09:30 UTC ».
    static func when(_ rfc3339: String?) -> String {
        guard let rfc3339, rfc3339.count >= 16 else { return "" }
        return "\(rfc3339.prefix(10)) \(rfc3339.dropFirst(11).prefix(5)) UTC"
    }

    /// Which page of the list, and whether only the shortlisted, as the page's query names them.
    struct Listing {
        var page: Int
        var shortlistedOnly: Bool

        init(page: String?, filter: String?) {
            // At most the matcher's largest offset ÷ 50: (page − 1) × 50 must not overflow.
            self.page = min(max(1, page.flatMap { Int($0) } ?? 1), 200_000)
            shortlistedOnly = filter == "oui"
        }

        init(_ request: Request) {
            let query = request.uri.queryParameters
            self.init(page: query["page"].map(String.init), filter: query["preselection"].map(String.init))
        }

        /// The matcher's query for `limit` matches from `offset`.
        func owner(_ offerId: String, limit: Int, offset: Int) -> String {
            "/matches?offer=\(Pages.segment(offerId))&limit=\(limit)&offset=\(offset)"
                + (shortlistedOnly ? "&shortlisted=true" : "")
        }

        /// This page's own query (links, the way back after a mark).
        var query: String { "page=\(page)" + (shortlistedOnly ? "&preselection=oui" : "") }
    }

    func add(to router: Router<ServiceRequestContext>) {
        router.get("/offres/:id/candidats.csv") { request, context -> Response in
            let session = try CandidatePages.officer()
            let id = context.parameters.get("id") ?? ""
            let listing = Listing(request)
            let offer = try await owners.get(owners.offers, "/offers/\(Pages.segment(id))", as: session.username)
            if let error = offer.error { throw HTTPError(.badGateway, message: error.message) }
            let offerId = try offer.decode(Offer.self).id
            var rows = [Self.columns]
            var offset = 0
            while offset < 100_000 {
                let answer = try await owners.get(
                    owners.matches, listing.owner(offerId, limit: 500, offset: offset), as: session.username)
                if let error = answer.error { throw HTTPError(.badGateway, message: error.message) }
                let list = try answer.decode(MatchList.self)
                rows += list.matches.enumerated().map { Self.cells($0.element, rank: offset + $0.offset + 1) }
                offset += 500
                if list.matches.isEmpty || offset >= (list.total ?? 0) { break }
            }
            return try CSVDownload.response(rows, filename: "passerelle-candidats-\(id)")
        }
        router.get("/offres/:id/candidats") { request, context -> Response in
            try await page(context.parameters.get("id") ?? "", Listing(request))
        }
        addFollowUp(to: router)
    }

    /// One match as the CSV's cells, in the columns' order.
    static func cells(_ match: Listed, rank: Int) -> [String] {
        let contacted = match.contacted ?? false
        return [
            "\(match.rank ?? rank)", match.candidateId, "\(Int(match.score.rounded()))",
            match.shortlisted ?? false ? "oui" : "non", contacted ? "oui" : "non",
            contacted ? when(match.contactedAt) : "",
        ]
    }

    /// The page; `error` (and its status) after a mark the matcher refused.
    func page(
        _ id: String, _ listing: Listing, error: String? = nil, status: HTTPResponse.Status = .ok
    )
        async throws -> Response
    {
        let session = try CandidatePages.officer()
        let offer = try await owners.get(owners.offers, "/offers/\(Pages.segment(id))", as: session.username)
        guard offer.isSuccess else {
            return try pages.render(
                "erreur", title: "Offre", ["message": offer.error?.message ?? tr("Offre introuvable.")],
                status: .notFound)
        }
        let decoded = try offer.decode(Offer.self)
        let offset = (listing.page - 1) * Self.pageSize
        let answer = try await owners.get(
            owners.matches, listing.owner(decoded.id, limit: Self.pageSize, offset: offset), as: session.username)
        if let failure = answer.error {
            return try pages.render("erreur", title: "Candidats", ["message": failure.message], status: .badGateway)
        }
        let list = try answer.decode(MatchList.self)
        let matches = list.matches
        // The page's names by one search of the registry, not one call per person.
        var names: [String: String] = [:]
        if !matches.isEmpty {
            let ids = matches.map(\.candidateId).joined(separator: ",")
            let found = try? await owners.get(
                owners.candidates, "/candidates?limit=\(Self.pageSize)&ids=\(Pages.segment(ids))", as: session.username
            ).decode(Names.self)
            for candidate in found?.candidates ?? [] {
                names[candidate.id] = "\(candidate.name.given) \(candidate.name.family)"
            }
        }
        let rows: [[String: Any]] = matches.enumerated().map { index, match in
            Self.row(match, rank: offset + index + 1, name: names[match.candidateId] ?? match.candidateId)
        }
        let total = list.total ?? matches.count
        let pagesCount = max(1, (total + Self.pageSize - 1) / Self.pageSize)
        let base = "/offres/\(Pages.segment(decoded.id))/candidats?"
        var values: [String: Any] = [
            "offer": OfferPages.row(decoded), "offerId": decoded.id, "matches": rows, "count": rows.count,
            "total": total, "pageLabel": "\(listing.page) / \(pagesCount)", "page": listing.page,
            "filter": listing.shortlistedOnly ? "oui" : "", "shortlistedOnly": listing.shortlistedOnly,
            "csv": "/offres/\(Pages.segment(decoded.id))/candidats.csv"
                + (listing.shortlistedOnly ? "?preselection=oui" : ""),
            "empty": rows.isEmpty,
        ]
        let filter = listing.shortlistedOnly ? "&preselection=oui" : ""
        if listing.page > 1 { values["previous"] = base + "page=\(min(listing.page, pagesCount + 1) - 1)" + filter }
        if listing.page < pagesCount { values["next"] = base + "page=\(listing.page + 1)" + filter }
        if let error { values["error"] = error }
        return try pages.render(
            "offre-candidats", title: "Candidats pour \(decoded.reference ?? decoded.id)", values, status: status)
    }

    /// One ranked candidate on the page: the score's breakdown, the marks and their forms.
    static func row(_ match: Listed, rank: Int, name: String) -> [String: Any] {
        let english = PortalSession.current?.language == "en"
        let shortlisted = match.shortlisted ?? false
        let contacted = match.contacted ?? false
        return [
            "rank": match.rank ?? rank, "candidate": match.candidateId, "score": Int(match.score.rounded()),
            "name": name, "shortlisted": shortlisted, "contacted": contacted,
            "contactedAt": when(match.contactedAt), "version": match.version ?? 0,
            // Each form sends the other mark as it was read, and its own switched.
            "shortlistedNow": shortlisted ? "oui" : "non", "contactedNow": contacted ? "oui" : "non",
            "shortlistTo": shortlisted ? "non" : "oui",
            "shortlistLabel": tr(shortlisted ? "Retirer" : "Présélectionner"),
            "contactTo": contacted ? "non" : "oui", "contactLabel": tr(contacted ? "Annuler" : "Marquer contacté"),
            // What a screen reader says of each of the page's fifty pairs of buttons.
            "shortlistAria": tr(shortlisted ? "Retirer de la présélection :" : "Présélectionner :") + " \(name)",
            "contactAria": tr(contacted ? "Annuler « contacté » :" : "Marquer contacté :") + " \(name)",
            // The score's rows drawn here, escaped, rather than by Mustache: 400 rows a page
            // through `[String: Any]` lookups were most of the page's time.
            "breakdownRows": match.breakdown.map { part in
                "<tr><th scope=\"row\">\(Pages.escape(Self.rules[part.rule].map(tr) ?? part.rule))</th>"
                    + "<td>\(Int(part.score.rounded()))</td><td>\(Int(part.weight.rounded()))</td>"
                    + "<td>\(Pages.escape(Self.french(part.reason, english: english)))</td></tr>"
            }.joined(),
        ]
    }
}
