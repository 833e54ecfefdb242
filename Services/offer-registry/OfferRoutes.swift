import CodeLists
import Foundation
import GRDB
import Hummingbird
import Messages
import ServiceKit

/// The HTTP resources of DESIGN.md: `/offers`, `/offers/{id}`, approve and close.
extension OfferRegistry {
    /// Who may do what: agencies submit and read offers (and edit their own), never approve
    /// or close them; statistics readers read.
    static let accessRules: [AccessRule] = [
        AccessRule(.post, "/offers", [.officer, .portal, .agency]),
        AccessRule(.get, "/offers", [.officer, .portal, .agency, .statistics]),
        AccessRule(.get, "/offers/:id", [.officer, .portal, .agency, .statistics]),
        AccessRule(.get, "/offers/:id/versions", [.officer, .portal, .agency, .statistics]),
        AccessRule(.put, "/offers/:id", [.officer, .portal, .agency]),
        AccessRule(.post, "/offers/:id/approve", [.officer, .portal]),
        AccessRule(.post, "/offers/:id/close", [.officer, .portal]),
    ]

    func addRoutes(to router: Router<ServiceRequestContext>) {
        router.post("/offers") { request, _ -> Response in
            let key = try Idempotency.key(of: request)
            let draft = try await APIBody.decode(OfferDraft.self, from: request)
            let created = try await create(draft, idempotencyKey: key)
            var response = APIBody.response(created.offer, status: created.isNew ? .created : .ok)
            response.headers[.location] = "/offers/\(created.offer.id)"
            return response
        }
        router.get("/offers") { request, _ -> Response in
            let query = QueryParameters(request)
            try query.only(["country", "occupation", "status", "flagged", "limit", "offset"])
            var filter = OfferStore.Filter()
            if let country = query["country"] {
                do throws(APIError) { try FieldCheck.country(country, "country") } catch { throw error.asParameter }
                filter.country = country
            }
            if let occupation = query["occupation"] {
                guard CodeLists.isco[occupation] != nil else {
                    throw APIError(
                        .badRequest, code: "invalid-parameter",
                        message: "occupation : code CITP-08 inconnu « \(occupation) » / unknown ISCO-08 code",
                        field: "occupation")
                }
                filter.occupation = occupation
            }
            if let status = query["status"] {
                guard let parsed = OfferStatus(rawValue: status) else {
                    throw APIError(
                        .badRequest, code: "invalid-parameter",
                        message: "status : pending, open ou closed / pending, open or closed", field: "status")
                }
                filter.status = parsed
            }
            if let flagged = query["flagged"] {
                guard ["true", "false"].contains(flagged) else {
                    throw APIError(
                        .badRequest, code: "invalid-parameter", message: "flagged : true ou false / true or false",
                        field: "flagged")
                }
                filter.flagged = flagged == "true"
            }
            filter.limit = try query.integer("limit", default: 50, range: 1...500)
            filter.offset = try query.integer("offset", default: 0, range: 0...10_000_000)
            let chosen = filter
            let page = try await database.pool.read { db in try OfferStore.list(chosen, db) }
            return APIBody.response(
                OfferPage(offers: page.offers, total: page.total, limit: filter.limit, offset: filter.offset))
        }
        router.get("/offers/:id") { _, context -> Response in
            let id = try context.parameters.require("id")
            guard let offer = try await database.pool.read({ db in try OfferStore.find(idOrReference: id, db) }) else {
                throw APIError.notFound("offre", id: id)
            }
            return APIBody.response(offer)
        }
        router.get("/offers/:id/versions") { _, context -> Response in
            let id = try context.parameters.require("id")
            let versions = try await database.pool.read { db in try OfferStore.versions(id, db) }
            guard !versions.isEmpty else { throw APIError.notFound("offre", id: id) }
            return APIBody.response(["versions": versions])
        }
        router.put("/offers/:id") { request, context -> Response in
            let id = try context.parameters.require("id")
            if let caller = APICaller.current, caller.role == .agency {
                // An agency edits only the offers it submitted itself.
                guard try await AuditLog(database: database).creator(of: "/offers/\(id)") == caller.name else {
                    throw APIError(
                        .forbidden, code: "forbidden",
                        message: "une agence ne modifie que ses propres offres / an agency edits only its own offers")
                }
            }
            let draft = try await APIBody.decode(OfferDraft.self, from: request)
            let before = try await database.pool.read { db in try OfferStore.find(id, db) }
            let after = try await update(id, draft)
            AuditNote.record(changes: AuditDiff.changedFields(before, after))
            return APIBody.response(after)
        }
        router.post("/offers/:id/approve") { _, context -> Response in
            let offer = try await approve(try context.parameters.require("id"))
            AuditNote.record(changes: ["approved: status \(offer.status.rawValue)"])
            return APIBody.response(offer)
        }
        router.post("/offers/:id/close") { request, context -> Response in
            let id = try context.parameters.require("id")
            var reason = "cancelled"
            var note: String?
            if request.headers[.contentLength].map({ $0 != "0" }) ?? (request.headers[.transferEncoding] != nil) {
                let body = try await APIBody.decode(CloseRequest.self, from: request)
                if let given = body.reason {
                    guard OfferValidator.closeReasons.contains(given) else {
                        throw APIError.invalid(
                            "reason", french: "filled, cancelled, fraud, rejected ou other attendu",
                            english: "expected filled, cancelled, fraud, rejected or other")
                    }
                    reason = given
                }
                if let given = body.note?.trimmingCharacters(in: .whitespacesAndNewlines), !given.isEmpty {
                    guard given.count <= 300,
                        !given.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
                    else {
                        throw APIError.invalid(
                            "note", french: "300 caractères au plus, sans caractère de contrôle",
                            english: "at most 300 characters, no control character")
                    }
                    note = given
                }
            }
            let offer = try await close(id, reason: reason)
            AuditNote.record(changes: ["closed: \(reason)"] + (note.map { ["note: \($0)"] } ?? []))
            return APIBody.response(offer)
        }
    }
}

/// One page of `GET /offers`.
struct OfferPage: Codable, Sendable {
    let offers: [Offer]
    let total: Int
    let limit: Int
    let offset: Int
}
