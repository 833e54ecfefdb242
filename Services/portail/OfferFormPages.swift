import Foundation
import Hummingbird
import NIOHTTP1

/// `/offres/nouvelle`: the form an officer or an agency fills in; the registry validates it,
/// and its errors come back next to the field at fault, in French and English.
struct OfferFormPages {
    let pages: Pages
    let owners: OwnerClient

    func add(to router: Router<BasicRequestContext>) {
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

    private func render(_ form: OfferForm, status: HTTPResponse.Status) throws -> Response {
        try pages.render(
            "offre-form", title: "Nouvelle offre",
            [
                "fields": form.fields.map(\.model), "occupations": OfferForm.occupations,
                "formError": form.errors["_form"] as Any, "key": form.values["_key"] ?? "",
                "hasErrors": !form.errors.isEmpty,
            ], status: status)
    }
}
