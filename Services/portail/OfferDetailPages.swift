import CodeLists
import Foundation
import Hummingbird
import Messages
import NIOHTTP1
import ServiceKit

/// `/offres/{id}`: one offer, its flags explained, its history from the registry's audit;
/// a supervisor approves or rejects an offer held for review; an officer closes one.
struct OfferDetailPages {
    let pages: Pages
    let owners: OwnerClient

    struct AuditEntries: Decodable {
        struct Entry: Decodable {
            var time: String
            var actor: String
            var onBehalfOf: String?
            var method: String
            var path: String
            var status: Int
            var changes: [String]
        }
        var entries: [Entry]
    }

    /// `POST /offres/{id}/approuver|rejeter|fermer`.
    struct ActionForm: Decodable {
        var _csrf: String?
        var motif: String?
        /// On closing: filled, cancelled, fraud or other.
        var raison: String?
    }

    /// Why an offer closes, as the registry names it, in French.
    static var closeReasons: [(String, String)] {
        [
            ("filled", tr("Postes pourvus")), ("cancelled", tr("Annulée par l’employeur")), ("fraud", tr("Fraude")),
            ("other", tr("Autre")),
        ]
    }

    func add(to router: Router<ServiceRequestContext>) {
        router.get("/offres/:id") { request, context -> Response in
            let id = context.parameters.get("id") ?? ""
            return try await page(id, notice: request.uri.queryParameters["fait"].map(String.init), error: nil)
        }
        for action in ["approuver", "rejeter", "fermer"] {
            router.post("/offres/:id/\(action)") { request, context -> Response in
                try await act(action, id: context.parameters.get("id") ?? "", request)
            }
        }
    }

    private func act(_ action: String, id: String, _ request: Request) async throws -> Response {
        let form = try await FormBody.decode(ActionForm.self, from: request)
        guard let session = PortalSession.current, CSRF.matches(form._csrf, session.csrf) else { throw CSRF.refused() }
        let encoded = Pages.segment(id)
        let reason = (form.motif ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        switch action {
        case "approuver", "rejeter":
            guard session.role.approves else {
                throw HTTPError(
                    .forbidden,
                    message: "Seul un superviseur approuve ou rejette. / Only a supervisor approves or rejects.")
            }
        default:
            guard session.role != .agency else {
                throw HTTPError(
                    .forbidden, message: "Une agence ne ferme pas d’offre ici. / An agency cannot close offers here.")
            }
        }
        if action != "approuver", reason.isEmpty || reason.count > 300 {
            return try await page(
                id, notice: nil,
                error: "Indiquez un motif (300 caractères au plus). / Give a reason (300 characters at most).")
        }
        let answer: OwnerClient.Answer
        if action == "approuver" {
            answer = try await owners.send(
                .POST, owners.offers, "/offers/\(encoded)/approve", body: nil, as: session.username)
        } else {
            let code = action == "rejeter" ? "rejected" : (form.raison ?? "other")
            let body = try JSONEncoder().encode(["reason": code, "note": reason])
            answer = try await owners.send(
                .POST, owners.offers, "/offers/\(encoded)/close", body: body, as: session.username)
        }
        if let error = answer.error { return try await page(id, notice: nil, error: error.message) }
        return Pages.redirect("/offres/\(encoded)?fait=\(action)")
    }

    private func page(_ id: String, notice: String?, error: String?) async throws -> Response {
        guard let session = PortalSession.current else { return Pages.redirect("/connexion") }
        let encoded = Pages.segment(id)
        let answer = try await owners.get(owners.offers, "/offers/\(encoded)", as: session.username)
        if answer.status == 404 {
            return try pages.render(
                "erreur", title: "Offre introuvable", ["message": tr("Aucune offre") + " « \(id) »."], status: .notFound
            )
        }
        if let failure = answer.error {
            return try pages.render("erreur", title: "Offre", ["message": failure.message], status: .badGateway)
        }
        let offer = try answer.decode(Offer.self)
        let audit = try await owners.get(
            owners.offers, "/audit?resource=%2Foffers%2F\(Pages.segment(offer.id))",
            as: session.username)
        let history = (try? audit.decode(AuditEntries.self).entries) ?? []
        var values = OfferPages.row(offer)
        values["flagList"] = offer.flags.map { ["code": $0, "why": Self.explain($0)] }
        values["city"] = offer.city
        values["contract"] = Self.contracts[offer.contract.rawValue].map(tr) ?? offer.contract.rawValue
        let per =
            ["hour": "de l’heure", "month": "par mois", "year": "par an"][offer.salary.period.rawValue].map(tr) ?? ""
        values["salary"] = "\(Self.amount(offer.salary.amount)) \(offer.salary.currency) \(per)"
        values["workerFees"] =
            offer.conditions.workerFees == 0
            ? tr("aucun") : "\(Self.amount(offer.conditions.workerFees)) \(offer.salary.currency)"
        values["deadline"] = offer.applicationDeadline?.description ?? "—"
        values["pending"] = offer.status == .pending && session.role.approves
        values["closable"] = offer.status != .closed && session.role != .agency
        values["closeReasons"] = Self.closeReasons.map { ["code": $0.0, "name": $0.1] }
        values["editable"] = offer.status != .closed
        values["history"] = history.map { entry in
            [
                "time": entry.time, "who": entry.onBehalfOf ?? entry.actor,
                "what": Self.action(entry.method, entry.path),
                "status": entry.status, "changes": Self.fieldNames(entry.changes),
            ] as [String: Any]
        }
        if let notice { values["notice"] = Self.done(notice) }
        if let error { values["error"] = error }
        return try pages.render("offre", title: "Offre \(offer.reference ?? offer.id)", values)
    }

    static let contracts = [
        "seasonal": "Saisonnier", "fixed-term": "Durée déterminée", "permanent": "Durée indéterminée",
        "apprenticeship": "Apprentissage",
    ]

    /// `1260.0` → « 1 260 » (French digit groups, no needless decimals).
    static func amount(_ value: Double) -> String {
        value.formatted(.number.locale(Locale(identifier: "fr_FR")).precision(.fractionLength(0...2)))
    }

    /// Why an offer check raised a flag, in the officer's language.
    static func explain(_ flag: String) -> String {
        if flag.hasPrefix("duplicate:") {
            return tr("Doublon probable de l’offre ouverte") + " \(flag.dropFirst("duplicate:".count)) "
                + tr("(même employeur, métier, pays).")
        }
        switch flag {
        case "worker-fees": return tr("Des frais sont demandés au travailleur : une offre légale n’en demande aucun.")
        case "employer-registration": return tr("L’employeur n’a pas de numéro d’enregistrement.")
        case "deadline-passed": return tr("La date limite de candidature est passée.")
        default: return flag
        }
    }

    /// The fields an edit changed, as the offer form names them (`salary.amount` → « Salaire »).
    static func fieldNames(_ paths: [String]) -> String {
        let labels = Dictionary(
            OfferForm(values: [:]).fields.map { ($0.name, $0.label) }, uniquingKeysWith: { first, _ in first })
        return paths.map { path in
            labels[path] ?? labels[path == "requirements.languages" ? "requirements.language" : ""] ?? path
        }.joined(separator: ", ")
    }

    static func action(_ method: String, _ path: String) -> String {
        if path.hasSuffix("/approve") { return tr("Approbation") }
        if path.hasSuffix("/close") { return tr("Fermeture") }
        if path.hasSuffix("/consent") { return tr("Consentements modifiés") }
        switch method {
        case "POST": return tr("Création")
        case "PUT": return tr("Modification")
        case "DELETE": return tr("Effacement")
        default: return tr("Autre") + " (\(method))"
        }
    }

    static func done(_ action: String) -> String {
        switch action {
        case "approuver": tr("Offre approuvée : elle est ouverte.")
        case "rejeter": tr("Offre rejetée.")
        case "fermer": tr("Offre fermée.")
        case "creer": tr("Offre enregistrée.")
        case "modifier": tr("Offre modifiée.")
        default: ""
        }
    }
}
