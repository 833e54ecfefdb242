import CodeLists
import Foundation
import Hummingbird
import Messages
import NIOHTTP1
import ServiceKit

/// `/candidats`: search (name and birth year, phone, or several references at once), a
/// profile with its history, matches and messages, and erasure confirmed twice. Never for an
/// agency: candidates are personal data.
struct CandidatePages {
    let pages: Pages
    let owners: OwnerClient

    struct Found: Decodable {
        var candidates: [Candidate]
        var total: Int
    }

    /// The officer, if they may see candidates.
    static func officer() throws -> PortalSession {
        guard let session = PortalSession.current else { throw HTTPError(.unauthorized) }
        guard session.role.seesCandidates else {
            throw HTTPError(
                .forbidden,
                message: "Une agence partenaire ne voit pas les candidats. / A partner agency cannot see candidates.")
        }
        return session
    }

    func add(to router: Router<ServiceRequestContext>) {
        router.get("/candidats.csv") { request, _ -> Response in
            let session = try Self.officer()
            guard let search = Self.search(request) else {
                return try CSVDownload.response([Self.columns], filename: "passerelle-candidats")
            }
            let answer = try await owners.get(
                owners.candidates, "/candidates?limit=100&\(search)", as: session.username)
            if let error = answer.error { throw HTTPError(.badGateway, message: error.message) }
            let found = try answer.decode(Found.self).candidates.map(Self.row)
            let keys = ["name", "birthYear", "phone", "region", "id"]
            return try CSVDownload.response(
                [Self.columns] + found.map { row in keys.map { "\(row[$0] ?? "")" } }, filename: "passerelle-candidats")
        }
        router.get("/candidats") { request, _ -> Response in
            let session = try Self.officer()
            let query = request.uri.queryParameters
            let name = query["nom"].map(String.init) ?? ""
            let year = query["annee"].map(String.init) ?? ""
            let phone = query["telephone"].map(String.init) ?? ""
            let references = query["references"].map(String.init) ?? ""
            var values: [String: Any] = [
                "nom": name, "annee": year, "telephone": phone, "references": references, "columns": Self.columns,
                "csv": "/candidats.csv?" + (request.uri.query ?? ""),
            ]
            if query["fait"] == "efface" {
                values["notice"] = tr("Le candidat a été effacé : ses données ont quitté Passerelle.")
            }
            if let search = Self.search(request) {
                let answer = try await owners.get(
                    owners.candidates, "/candidates?limit=50&\(search)", as: session.username)
                if let error = answer.error {
                    values["error"] = error.message
                } else {
                    let found = try answer.decode(Found.self)
                    values["results"] = found.candidates.map(Self.row)
                    values["total"] = found.total
                    values["searched"] = true
                }
            }
            return try pages.render("candidats", title: "Candidats", values)
        }
        router.get("/candidats/:id") { request, context -> Response in
            try await profile(
                context.parameters.get("id") ?? "", notice: request.uri.queryParameters["fait"].map(String.init))
        }
        router.get("/candidats/:id/effacer") { _, context -> Response in
            let session = try Self.officer()
            let id = context.parameters.get("id") ?? ""
            let answer = try await owners.get(
                owners.candidates, "/candidates/\(Pages.segment(id))", as: session.username)
            guard answer.isSuccess else { return try missing(id, answer) }
            return try pages.render(
                "effacer", title: "Effacer un candidat", Self.row(try answer.decode(Candidate.self)))
        }
        router.post("/candidats/:id/effacer") { request, context -> Response in
            let session = try Self.officer()
            let id = context.parameters.get("id") ?? ""
            let form = try await FormBody.decode([String: String].self, from: request)
            guard CSRF.matches(form["_csrf"], session.csrf) else { throw CSRF.refused() }
            let read = try await owners.get(
                owners.candidates, "/candidates/\(Pages.segment(id))", as: session.username)
            guard read.isSuccess else { return try missing(id, read) }
            let candidate = try read.decode(Candidate.self)
            // Twice: the officer ticks that the person asked, and types their family name back
            // (or the reference): a slip of the mouse erases no one.
            guard form["demande"] == "oui",
                Self.confirms(form["confirmation"] ?? "", family: candidate.name.family, id: id)
            else {
                var values = Self.row(candidate)
                values["error"] = OwnerClient.Answer.inLanguage(
                    "Cochez la demande de la personne et recopiez son nom de famille. "
                        + "/ Tick the person's request and type their family name.")
                return try pages.render("effacer", title: "Effacer un candidat", values, status: .unprocessableContent)
            }
            let answer = try await owners.send(
                .DELETE, owners.candidates, "/candidates/\(Pages.segment(id))", body: nil, as: session.username)
            if let error = answer.error {
                return try pages.render("erreur", title: "Effacement", ["message": error.message], status: .badGateway)
            }
            return Pages.redirect("/candidats?fait=efface")
        }
    }

    /// The list's columns, and its CSV's.
    static var columns: [String] { ["Nom", "Naissance", "Téléphone", "Région", "Référence"].map(tr) }

    /// The registry's query for what the officer typed: phone, else references, else name (and year).
    static func search(_ request: Request) -> String? {
        let query = request.uri.queryParameters
        let name = query["nom"].map(String.init) ?? ""
        let year = query["annee"].map(String.init) ?? ""
        let phone = query["telephone"].map(String.init) ?? ""
        let references = query["references"].map(String.init) ?? ""
        if !phone.isEmpty { return "phone=\(Pages.segment(phone))" }
        if !references.isEmpty {
            let ids = references.split(whereSeparator: { ",; \n\r\t".contains($0) }).map(String.init)
            return "ids=\(Pages.segment(ids.joined(separator: ",")))"
        }
        if !name.isEmpty {
            return "name=\(Pages.segment(name))" + (year.isEmpty ? "" : "&birthYear=\(Pages.segment(year))")
        }
        return nil
    }

    private func missing(_ id: String, _ answer: OwnerClient.Answer) throws -> Response {
        if answer.status == 404 {
            return try pages.render(
                "erreur", title: "Candidat introuvable", ["message": tr("Aucun candidat") + " « \(id) »."],
                status: .notFound)
        }
        return try pages.render(
            "erreur", title: "Candidat", ["message": answer.error?.message ?? ""], status: .badGateway)
    }

    private func profile(_ id: String, notice: String?) async throws -> Response {
        let session = try Self.officer()
        let segment = Pages.segment(id)
        let answer = try await owners.get(owners.candidates, "/candidates/\(segment)", as: session.username)
        guard answer.isSuccess else { return try missing(id, answer) }
        let candidate = try answer.decode(Candidate.self)
        var values = Self.row(candidate)
        values["consent"] = [
            ("Mise en relation avec des offres", candidate.consent.matching),
            ("Être prévenu par SMS ou courriel", candidate.consent.notifications),
            ("Être compté (anonymement) dans les statistiques", candidate.consent.statistics),
        ].map { ["purpose": tr($0.0), "given": tr($0.1 ? "oui" : "non")] }
        values["occupations"] = candidate.occupations.map {
            CodeLists.isco[$0].map { "\($0.code) — \($0.title)" } ?? $0
        }
        values["languages"] = candidate.languages.map {
            "\(CodeLists.languages[$0.code]?.name ?? $0.code) (\($0.level.rawValue))"
        }
        .joined(separator: ", ")
        values["destinations"] =
            candidate.destinations.isEmpty
            ? tr("tous pays")
            : candidate.destinations.map { CodeLists.countries[$0]?.name ?? $0 }.joined(separator: ", ")
        let matches = try? await owners.get(
            owners.matches, "/matches?candidate=\(segment)&limit=20", as: session.username
        )
        .decode(MatchPages.MatchList.self)
        // Each offer by its reference and title (the best 20; a profile, not a report), with
        // the officers' marks.
        var offers: [[String: Any]] = []
        for match in (matches?.matches ?? []).sorted(by: { $0.score > $1.score }).prefix(20) {
            let offer = try? await owners.get(
                owners.offers, "/offers/\(Pages.segment(match.offerId))", as: session.username
            )
            .decode(Offer.self)
            offers.append([
                "offer": match.offerId, "score": Int(match.score.rounded()),
                "label": offer.map { "\($0.reference ?? $0.id) — \($0.title)" } ?? match.offerId,
                "shortlisted": match.shortlisted ?? false, "contacted": match.contacted ?? false,
                "contactedAt": MatchPages.when(match.contactedAt),
            ])
        }
        values["matches"] = offers
        let audit = try? await owners.get(
            owners.candidates, "/audit?resource=%2Fcandidates%2F\(segment)", as: session.username
        )
        .decode(OfferDetailPages.AuditEntries.self)
        values["history"] = (audit?.entries ?? []).map {
            [
                "time": $0.time, "who": $0.onBehalfOf ?? $0.actor, "what": OfferDetailPages.action($0.method, $0.path),
                "status": $0.status,
            ]
        }
        // What the notifier sent and heard (none when it does not run: the page still shows).
        struct Messages: Decodable {
            struct Message: Decodable {
                var direction: String
                var offerId: String?
                var template: String
                var text: String?
                var status: String
                var created: Timestamp
            }
            var notifications: [Message]
        }
        let messages = try? await owners.get(
            owners.notifier, "/notifications?candidate=\(segment)", as: session.username
        )
        .decode(Messages.self)
        values["messages"] = (messages?.notifications ?? []).map {
            [
                "when": $0.created.description, "direction": tr($0.direction == "in" ? "reçu" : "envoyé"),
                "text": $0.text ?? $0.template, "status": $0.status, "offer": $0.offerId ?? "—",
            ]
        }
        values["hasMessages"] = !(messages?.notifications ?? []).isEmpty
        if notice == "cree" { values["notice"] = tr("Candidat enregistré.") }
        return try pages.render("candidat", title: "\(candidate.name.given) \(candidate.name.family)", values)
    }

    /// A candidate as the lists and the profile show them.
    /// Whether `typed` is the family name (case, accents and spaces aside) or the reference.
    static func confirms(_ typed: String, family: String, id: String) -> Bool {
        func folded(_ text: String) -> String {
            text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
                .split(whereSeparator: \.isWhitespace).joined(separator: " ")
        }
        let given = folded(typed)
        return !given.isEmpty && (given == folded(family) || typed.trimmingCharacters(in: .whitespaces) == id)
    }

    static func row(_ candidate: Candidate) -> [String: Any] {
        [
            "id": candidate.id, "name": "\(candidate.name.given) \(candidate.name.family)",
            "family": candidate.name.family,
            "birthYear": candidate.birthYear, "phone": candidate.contact.phone ?? "—",
            "email": candidate.contact.email ?? "—",
            "region": CodeLists.maliRegions[candidate.region]?.name ?? candidate.region,
            "residence": CodeLists.countries[candidate.residence]?.name ?? candidate.residence,
            "gender": tr(["F": "Femme", "M": "Homme"][candidate.gender.rawValue] ?? "Autre"),
            "education": CodeLists.iscedLevels["\(candidate.education)"]?.name ?? "\(candidate.education)",
            "experience": candidate.experienceYears, "availableFrom": candidate.availableFrom.description,
        ]
    }
}
