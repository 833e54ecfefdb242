import GRDB
import Hummingbird
import Messages
import ServiceKit

/// `GET /matches?offer={id}` and `GET /matches?candidate={id}`: ranked, with breakdowns and the
/// officers' marks, paged by `limit` and `offset`; `PUT /matches/{offerId}/{candidateId}/follow-up`
/// sets the marks (``FollowUpRoutes``).
enum MatchRoutes {
    /// Officers read and mark matches, directly or through portail; agencies and statistics
    /// readers never see who matched an offer.
    static let accessRules: [AccessRule] = [
        AccessRule(.get, "/matches", [.officer, .portal]),
        AccessRule(.put, "/matches/:offer/:candidate/follow-up", [.officer, .portal]),
    ]

    static func add(to router: Router<ServiceRequestContext>, database: ServiceDatabase) {
        router.get("/matches") { request, _ -> Response in
            let query = QueryParameters(request)
            try query.only(["offer", "candidate", "shortlisted", "limit", "offset"])
            let offer = query["offer"]
            let candidate = query["candidate"]
            guard (offer == nil) != (candidate == nil) else {
                throw APIError(
                    .badRequest, code: "invalid-parameter",
                    message: "offer ou candidate attendu, un seul / expected offer or candidate, exactly one",
                    field: offer == nil ? "offer" : "candidate")
            }
            var chosen = FollowUpStore.Query(offer: offer, candidate: candidate)
            if let shortlisted = query["shortlisted"] {
                guard ["true", "false"].contains(shortlisted) else {
                    throw APIError(
                        .badRequest, code: "invalid-parameter",
                        message: "shortlisted : true ou false / true or false", field: "shortlisted")
                }
                chosen.shortlisted = shortlisted == "true"
            }
            // Without `limit`, every match, as clients that do not page have always had them.
            if query["limit"] != nil { chosen.limit = try query.integer("limit", default: 50, range: 1...1_000) }
            chosen.offset = try query.integer("offset", default: 0, range: 0...10_000_000)
            let asked = chosen
            let page = try await database.pool.read { db in try FollowUpStore.list(asked, db) }
            return APIBody.response(
                MatchPage(matches: page.matches, total: page.total, limit: asked.limit, offset: asked.offset))
        }
        FollowUpRoutes.add(to: router, database: database)
    }
}
