import GRDB
import Hummingbird
import Messages
import ServiceKit

/// The HTTP resources of DESIGN.md: `/candidates`, `/candidates/{id}`, consent and erasure,
/// and the search officers use at the desk (`GET /candidates`, ``CandidateSearch``).
extension CandidateRegistry {
    /// Personal data: officers (directly or through portail) only; agencies and statistics
    /// readers never read a candidate.
    static let accessRules: [AccessRule] = [
        AccessRule(.post, "/candidates", [.officer, .portal]),
        AccessRule(.get, "/candidates", [.officer, .portal]),
        AccessRule(.get, "/candidates/:id", [.officer, .portal]),
        AccessRule(.put, "/candidates/:id", [.officer, .portal]),
        AccessRule(.get, "/candidates/:id/consent", [.officer, .portal]),
        AccessRule(.put, "/candidates/:id/consent", [.officer, .portal]),
        AccessRule(.delete, "/candidates/:id", [.officer, .portal]),
    ]

    func addRoutes(to router: Router<ServiceRequestContext>) {
        router.post("/candidates") { request, _ -> Response in
            let key = try Idempotency.key(of: request)
            let draft = try await APIBody.decode(CandidateDraft.self, from: request)
            let created = try await register(draft, idempotencyKey: key)
            var response = APIBody.response(created.candidate, status: created.isNew ? .created : .ok)
            response.headers[.location] = "/candidates/\(created.candidate.profile.id)"
            return response
        }
        router.get("/candidates") { request, _ -> Response in
            let search = try CandidateSearch(QueryParameters(request))
            let found = try await database.pool.read { db in try CandidateStore.search(search, db) }
            return APIBody.response(
                CandidatePage(
                    candidates: found.candidates, total: found.total, limit: search.limit, offset: search.offset))
        }
        router.get("/candidates/:id") { _, context -> Response in
            let id = try context.parameters.require("id")
            guard let candidate = try await database.pool.read({ db in try CandidateStore.find(id, db) }) else {
                throw APIError.notFound("candidat", id: id)
            }
            return APIBody.response(candidate)
        }
        router.put("/candidates/:id") { request, context -> Response in
            let id = try context.parameters.require("id")
            let draft = try await APIBody.decode(CandidateDraft.self, from: request)
            let before = try await database.pool.read { db in try CandidateStore.find(id, db) }
            let after = try await update(id, draft)
            // Field names only: the audit trail outlives an erasure and must not hold the person.
            AuditNote.record(changes: AuditDiff.changedFields(before, after))
            return APIBody.response(after)
        }
        router.get("/candidates/:id/consent") { _, context -> Response in
            APIBody.response(try await consent(try context.parameters.require("id")))
        }
        router.put("/candidates/:id/consent") { request, context -> Response in
            let id = try context.parameters.require("id")
            let change = try await APIBody.decode(ConsentChange.self, from: request)
            guard change.matching != nil || change.notifications != nil || change.statistics != nil else {
                throw APIError(
                    .unprocessableContent, code: "missing-field",
                    message: "matching, notifications ou statistics attendu / expected matching, notifications "
                        + "or statistics")
            }
            let consent = try await changeConsent(id, change, via: "api")
            AuditNote.record(
                changes: [
                    ("matching", change.matching), ("notifications", change.notifications),
                    ("statistics", change.statistics),
                ]
                .compactMap { name, value in value.map { "consent.\(name): \($0)" } })
            return APIBody.response(consent)
        }
        router.delete("/candidates/:id") { _, context -> Response in
            try await erase(try context.parameters.require("id"))
            AuditNote.record(changes: ["erased"])
            return Response(status: .noContent)
        }
    }
}
