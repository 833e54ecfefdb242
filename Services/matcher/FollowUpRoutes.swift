import GRDB
import Hummingbird
import Messages
import ServiceKit

/// `PUT /matches/{offerId}/{candidateId}/follow-up` with `{"shortlisted": bool, "contacted":
/// bool}` (and optionally the `version` read): officers shortlist a match and mark that they
/// contacted the person, or undo either. The marks are the matcher's own record, read back in
/// `GET /matches`; no bus event carries them. The officer is the one a portal key acts for
/// (`X-Passerelle-Officer`, trusted only from a portal key with security on), else the key's
/// name; the write is audited like every other.
enum FollowUpRoutes {
    static func add(to router: Router<ServiceRequestContext>, database: ServiceDatabase) {
        router.put("/matches/:offer/:candidate/follow-up") { request, context -> Response in
            let offer = try context.parameters.require("offer")
            let candidate = try context.parameters.require("candidate")
            let resource = "/matches/\(offer)/\(candidate)"
            AuditNote.record(resource: resource, changes: [])
            let key = try Idempotency.key(of: request)
            let change = try await APIBody.decode(FollowUpChange.self, from: request)
            if let version = change.version, version < 0 {
                throw APIError.invalid(
                    "version", french: "entier positif ou nul attendu", english: "expected a non-negative integer")
            }
            let caller = APICaller.current ?? .anonymous
            let officer = caller.onBehalfOf ?? caller.name
            // The same key again answers the marks as they are now, without changing them.
            let fingerprint = Idempotency.fingerprint([resource: change])
            let (before, after) = try await database.pool.write { db in
                let before = try FollowUpStore.find(offer: offer, candidate: candidate, db)
                let after = try Idempotency.once(
                    "correspondance", key: key, id: nil, fingerprint: fingerprint, db,
                    stored: { _ in
                        try FollowUpStore.find(offer: offer, candidate: candidate, db).map { ($0, fingerprint) }
                    },
                    create: {
                        (try FollowUpStore.mark(offer: offer, candidate: candidate, change, by: officer, db), resource)
                    }
                ).record
                return (before, after)
            }
            var changes: [String] = []
            if before?.shortlisted != after.shortlisted { changes.append("shortlisted: \(after.shortlisted)") }
            if before?.contacted != after.contacted { changes.append("contacted: \(after.contacted)") }
            AuditNote.record(changes: changes)
            return APIBody.response(after)
        }
    }
}
