import GRDB
import Hummingbird
import Messages
import ServiceKit

/// `GET /matches?offer={id}` and `GET /matches?candidate={id}`: ranked, with breakdowns.
enum MatchRoutes {
    static func add(to router: Router<BasicRequestContext>, database: ServiceDatabase) {
        router.get("/matches") { request, _ -> Response in
            let query = QueryParameters(request)
            try query.only(["offer", "candidate"])
            let offer = query["offer"]
            let candidate = query["candidate"]
            guard (offer == nil) != (candidate == nil) else {
                throw APIError(
                    .badRequest, code: "invalid-parameter",
                    message: "offer ou candidate attendu, un seul / expected offer or candidate, exactly one",
                    field: offer == nil ? "offer" : "candidate")
            }
            let matches = try await database.pool.read { db in
                try MatcherStore.matches(offer: offer, candidate: candidate, db)
            }
            return APIBody.response(MatchList(matches: matches))
        }
    }
}

struct MatchList: Codable, Sendable {
    let matches: [Match]
}
