import Hummingbird
import Messages
import ServiceKit

/// The HTTP resources of DESIGN.md: `/candidates`, `/candidates/{id}`, consent and erasure.
extension CandidateRegistry {
    func addRoutes(to router: Router<BasicRequestContext>) {
        router.post("/candidates") { request, _ -> Response in
            let key = try Idempotency.key(of: request)
            let draft = try await APIBody.decode(CandidateDraft.self, from: request)
            let created = try await register(draft, idempotencyKey: key)
            var response = APIBody.response(created.candidate, status: created.isNew ? .created : .ok)
            response.headers[.location] = "/candidates/\(created.candidate.profile.id)"
            return response
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
            return APIBody.response(try await update(id, draft))
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
            return APIBody.response(try await changeConsent(id, change, via: "api"))
        }
        router.delete("/candidates/:id") { _, context -> Response in
            try await erase(try context.parameters.require("id"))
            return Response(status: .noContent)
        }
    }
}
