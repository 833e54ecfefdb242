import Foundation
import GRDB
import HTTPTypes
import Logging
import Messages
import ServiceKit

/// Which offers wait for an officer before they open.
enum ReviewMode: String, CaseIterable, Sendable {
    /// Every offer waits for approval.
    case all
    /// Only offers an `OfferCheck` flagged (the default).
    case flagged
    /// None: every valid offer opens at once; flags are still recorded.
    case none
}

/// The registry's operations; each is one write transaction holding the state change, its
/// version row and its event in the outbox.
struct OfferRegistry: Sendable {
    let database: ServiceDatabase
    let outbox: Outbox
    let checks: [any OfferCheck]
    let review: ReviewMode
    let logger: Logger

    /// The result of a creation: the offer, and whether this request created it (201) or
    /// repeated an earlier one (200).
    struct Created: Sendable {
        let offer: Offer
        let isNew: Bool
    }

    func create(_ draft: OfferDraft, idempotencyKey: String?) async throws -> Created {
        let id = try draft.id.map { id throws(APIError) in
            try FieldCheck.identifier(id, "id")
            return id
        }
        let fingerprint = Idempotency.fingerprint(draft.content)
        // Validation reads no state: a bad request is refused before any write.
        let validated = try OfferValidator.validate(draft, id: id ?? UUID().uuidString.lowercased())
        return try await database.pool.write { db in
            let (offer, isNew) = try Idempotency.once(
                "offre", key: idempotencyKey, id: id, fingerprint: fingerprint, db,
                stored: { id in try OfferStore.findWithFingerprint(id, db) }
            ) {
                var offer = validated
                offer.reference = try OfferStore.nextReference(
                    country: offer.country, startDate: offer.startDate.description, db)
                offer.flags = try flags(offer, db)
                offer.status = opens(offer) ? .open : .pending
                if offer.status == .open { offer.openedAt = .now }
                offer.version = 1
                try OfferStore.insert(offer, fingerprint: fingerprint, db)
                if offer.status == .open { try outbox.append(.offerPublished(offer), in: db) }
                return (offer, offer.id)
            }
            return Created(offer: offer, isNew: isNew)
        }
    }

    func update(_ id: String, _ draft: OfferDraft) async throws -> Offer {
        if let bodyID = draft.id, bodyID != id {
            throw APIError.invalid(
                "id", french: "ne correspond pas à l’offre de l’adresse (\(id))",
                english: "does not match the offer in the URL (\(id))")
        }
        let validated = try OfferValidator.validate(draft, id: id)
        return try await database.pool.write { db in
            var offer = validated
            guard let current = try OfferStore.find(id, db) else { throw APIError.notFound("offre", id: id) }
            guard current.status != .closed else {
                throw APIError(
                    .conflict, code: "offer-closed",
                    message:
                        "l’offre \(id) est fermée et ne peut plus changer / offer \(id) is closed and cannot change")
            }
            let version = current.version ?? 1
            if let expected = draft.version, expected != version {
                throw APIError(
                    .conflict, code: "version-conflict",
                    message: "l’offre a changé (version \(version), pas \(expected)) : relisez-la / "
                        + "the offer changed (version \(version), not \(expected)): read it again",
                    field: "version")
            }
            offer.reference = current.reference
            offer.openedAt = current.openedAt
            offer.flags = try flags(offer, db)
            offer.version = version + 1
            // An open offer stays open unless the change raised a flag that needs review;
            // a pending one opens once nothing holds it back.
            offer.status = opens(offer) ? .open : .pending
            if offer.status == .open, offer.openedAt == nil { offer.openedAt = .now }
            try OfferStore.update(offer, db)
            switch (current.status, offer.status) {
            case (.pending, .open): try outbox.append(.offerPublished(offer), in: db)
            case (.open, _): try outbox.append(.offerUpdated(offer), in: db)
            default: break  // still pending: nobody outside has seen it
            }
            return offer
        }
    }

    func approve(_ id: String) async throws -> Offer {
        try await database.pool.write { db in
            guard var offer = try OfferStore.find(id, db) else { throw APIError.notFound("offre", id: id) }
            switch offer.status {
            case .open:
                return offer  // approving twice changes nothing
            case .closed:
                throw APIError(
                    .conflict, code: "offer-closed",
                    message: "l’offre \(id) est fermée / offer \(id) is closed")
            case .pending:
                offer.status = .open
                offer.openedAt = offer.openedAt ?? .now
                offer.version = (offer.version ?? 1) + 1
                try OfferStore.update(offer, db)
                try outbox.append(.offerPublished(offer), in: db)
                logger.info("offer approved", metadata: ["offer": "\(id)", "flags": "\(offer.flags)"])
                return offer
            }
        }
    }

    func close(_ id: String, reason: String) async throws -> Offer {
        try await database.pool.write { db in
            guard let offer = try OfferStore.find(id, db) else { throw APIError.notFound("offre", id: id) }
            return try close(offer, reason: reason, db)
        }
    }

    /// Closes an offer that is not closed yet; closing twice changes nothing.
    func close(_ current: Offer, reason: String, _ db: Database) throws -> Offer {
        guard current.status != .closed else { return current }
        var offer = current
        offer.status = .closed
        offer.closedReason = reason
        offer.version = (offer.version ?? 1) + 1
        try OfferStore.update(offer, db)
        try outbox.append(.offerClosed(offer), in: db)
        return offer
    }

    /// Closes every offer whose application deadline has passed; returns how many.
    func closePastDeadlines(today: LocalDate = LocalDate(Timestamp.now)) async throws -> Int {
        try await database.pool.write { db in
            var closed = 0
            for id in try OfferStore.pastDeadline(today, db) {
                guard let offer = try OfferStore.find(id, db) else { continue }
                _ = try close(offer, reason: "deadline", db)
                closed += 1
            }
            return closed
        }
    }

    private func flags(_ offer: Offer, _ db: Database) throws -> [String] {
        let context = OfferCheckContext(db: db, today: LocalDate(Timestamp.now))
        return try checks.compactMap { try $0.flag(offer, context) }
    }

    private func opens(_ offer: Offer) -> Bool {
        switch review {
        case .all: false
        case .flagged: offer.flags.isEmpty
        case .none: true
        }
    }
}
