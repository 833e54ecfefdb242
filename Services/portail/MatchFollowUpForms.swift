import Foundation
import Hummingbird
import NIOHTTP1
import ServiceKit

/// `POST /offres/{id}/candidats/{candidateId}/suivi`: « Présélectionner » / « Retirer » and
/// « Marquer contacté » / « Annuler » on the ranked candidates' page. The matcher owns the
/// marks: Portail sends them with the version read (a change made meanwhile is refused and
/// said so), then sends the officer back (303) to the same page and filter. Never for an agency.
extension MatchPages {
    /// The form: both marks as they should be (« oui » / « non »), the version read, and the
    /// page to come back to.
    struct FollowUpForm: Decodable {
        var _csrf: String?
        var preselectionne: String?
        var contacte: String?
        var version: String?
        var page: String?
        var preselection: String?
    }

    /// What the matcher's `PUT /matches/{offerId}/{candidateId}/follow-up` takes.
    struct FollowUpBody: Encodable {
        var shortlisted: Bool
        var contacted: Bool
        var version: Int?
    }

    func addFollowUp(to router: Router<ServiceRequestContext>) {
        router.post("/offres/:id/candidats/:candidate/suivi") { request, context -> Response in
            let session = try CandidatePages.officer()
            let form = try await FormBody.decode(FollowUpForm.self, from: request)
            guard CSRF.matches(form._csrf, session.csrf) else { throw CSRF.refused() }
            let id = context.parameters.get("id") ?? ""
            let candidate = context.parameters.get("candidate") ?? ""
            let listing = Listing(page: form.page, filter: form.preselection)
            guard let shortlisted = Self.yesNo(form.preselectionne), let contacted = Self.yesNo(form.contacte) else {
                throw HTTPError(.badRequest, message: "Formulaire incomplet. / Incomplete form.")
            }
            let body = try JSONEncoder().encode(
                FollowUpBody(shortlisted: shortlisted, contacted: contacted, version: form.version.flatMap { Int($0) }))
            let answer = try await owners.send(
                .PUT, owners.matches, "/matches/\(Pages.segment(id))/\(Pages.segment(candidate))/follow-up",
                body: body, as: session.username)
            if answer.status == 409 {
                let stale = OwnerClient.Answer.inLanguage(
                    "Quelqu’un a modifié ce suivi entre-temps : voici la liste à jour, recommencez si besoin. / "
                        + "Someone changed this follow-up meanwhile: here is the list as it is now, try again if needed."
                )
                return try await page(id, listing, error: stale, status: .conflict)
            }
            if let error = answer.error {
                let status =
                    (400..<500).contains(answer.status) ? HTTPResponse.Status(code: answer.status) : .badGateway
                return try await page(id, listing, error: error.message, status: status)
            }
            return Pages.redirect(
                "/offres/\(Pages.segment(id))/candidats?\(listing.query)#c-\(Pages.segment(candidate))")
        }
    }

    /// « oui » → true, « non » → false, anything else → nil.
    static func yesNo(_ text: String?) -> Bool? {
        switch text {
        case "oui": true
        case "non": false
        default: nil
        }
    }
}
