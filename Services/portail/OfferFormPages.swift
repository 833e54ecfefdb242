import Foundation
import Hummingbird
import Messages
import NIOHTTP1
import ServiceKit

/// `/offres/nouvelle`: the form an officer or an agency fills in; the registry validates it,
/// and its errors come back next to the field at fault, in French and English.
struct OfferFormPages {
    let pages: Pages
    let owners: OwnerClient

    func add(to router: Router<ServiceRequestContext>) {
        router.get("/offres/nouvelle") { _, _ -> Response in
            try render(
                OfferForm(
                    values: [
                        "salary.currency": "EUR", "salary.period": "month", "conditions.workerFees": "0",
                        "positions": "1", "_key": Accounts.token(),
                    ]), status: .ok)
        }
        router.post("/offres/nouvelle") { request, _ -> Response in
            let values = try await FormBody.decode([String: String].self, from: request)
            guard let session = PortalSession.current, CSRF.matches(values["_csrf"], session.csrf) else {
                throw CSRF.refused()
            }
            var form = OfferForm(values: values)
            let body = try JSONSerialization.data(withJSONObject: form.json)
            // The form's own key: a double click or a resubmitted page creates one offer.
            let key = values["_key"].flatMap { $0.isEmpty ? nil : $0 } ?? Accounts.token()
            let answer = try await owners.send(
                .POST, owners.offers, "/offers", body: body, as: session.username, headers: ["Idempotency-Key": key])
            if let error = answer.error {
                form.place(error.message, field: error.field)
                return try render(form, status: .unprocessableContent)
            }
            struct Created: Decodable { var id: String }
            let created = try answer.decode(Created.self)
            return Pages.redirect("/offres/\(Pages.segment(created.id))?fait=creer")
        }
    }

    private func render(_ form: OfferForm, status: HTTPResponse.Status, editing id: String? = nil) throws -> Response {
        try pages.render(
            "offre-form", title: id == nil ? "Nouvelle offre" : "Modifier l’offre",
            [
                "fields": form.fields.map(\.model), "occupations": OfferForm.occupations,
                "formError": form.errors["_form"] as Any, "key": form.values["_key"] ?? "",
                "hasErrors": !form.errors.isEmpty, "version": form.values["version"] ?? "",
                "action": id.map { "/offres/\(Pages.segment($0))/modifier" } ?? "/offres/nouvelle",
            ], status: status)
    }

    /// `/offres/{id}/modifier`: the offer as read, sent back with its version; a stale edit says so.
    func addEditing(to router: Router<ServiceRequestContext>) {
        router.get("/offres/:id/modifier") { _, context -> Response in
            guard let session = PortalSession.current else { return Pages.redirect("/connexion") }
            let id = context.parameters.get("id") ?? ""
            let answer = try await owners.get(owners.offers, "/offers/\(Pages.segment(id))", as: session.username)
            if let error = answer.error {
                return try pages.render("erreur", title: "Offre", ["message": error.message], status: .notFound)
            }
            return try render(OfferForm(offer: try answer.decode(Offer.self)), status: .ok, editing: id)
        }
        router.post("/offres/:id/modifier") { request, context -> Response in
            let id = context.parameters.get("id") ?? ""
            let values = try await FormBody.decode([String: String].self, from: request)
            guard let session = PortalSession.current, CSRF.matches(values["_csrf"], session.csrf) else {
                throw CSRF.refused()
            }
            var form = OfferForm(values: values)
            let body = try JSONSerialization.data(withJSONObject: form.json)
            let answer = try await owners.send(
                .PUT, owners.offers, "/offers/\(Pages.segment(id))", body: body, as: session.username)
            if answer.status == 409 {
                form.errors["_form"] =
                    OwnerClient.Answer.inLanguage(
                        "Quelqu’un a modifié l’offre depuis que vous l’avez ouverte : rouvrez-la pour voir ses changements. / "
                            + "Someone changed the offer since you opened it: open it again to see the changes.")
                    + " (" + (answer.error?.message ?? "") + ")"
                return try render(form, status: .conflict, editing: id)
            }
            if let error = answer.error {
                form.place(error.message, field: error.field)
                return try render(form, status: .unprocessableContent, editing: id)
            }
            return Pages.redirect("/offres/\(Pages.segment(id))?fait=modifier")
        }
    }
}
