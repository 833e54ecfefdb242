import Foundation
import GRDB
import Logging
import Messages
import ServiceKit

/// The registry's operations; each is one write transaction holding the state change and
/// its events in the outbox.
struct CandidateRegistry: Sendable {
    let database: ServiceDatabase
    let outbox: Outbox
    let logger: Logger
    /// Finishes erasures on disk when a reader holds the WAL checkpoint back.
    let checkpoint: ErasureCheckpoint

    struct Created: Sendable {
        let candidate: Candidate
        let isNew: Bool
    }

    func register(_ draft: CandidateDraft, idempotencyKey: String?) async throws -> Created {
        let id = try draft.id.map { id throws(APIError) in
            try FieldCheck.identifier(id, "id")
            return id
        }
        let fingerprint = Idempotency.fingerprint(draft.content)
        let now = Timestamp.now
        let candidate = try CandidateValidator.validate(draft, id: id ?? UUID().uuidString.lowercased(), now: now)
        return try await database.pool.write { db in
            let (stored, isNew) = try Idempotency.once(
                "candidat", key: idempotencyKey, id: id, fingerprint: fingerprint, db,
                stored: { id in try CandidateStore.findWithFingerprint(id, db) }
            ) {
                let id = candidate.profile.id
                try CandidateStore.insert(candidate, fingerprint: fingerprint, db)
                for (purpose, granted) in purposes(candidate.profile.consent) {
                    try CandidateStore.logConsent(
                        id, purpose: purpose, granted: granted, at: now, via: "registration", db)
                }
                try outbox.append(.candidateRegistered(candidate.profile), in: db)
                try emitContact(candidate, db)
                return (candidate, id)
            }
            return Created(candidate: stored, isNew: isNew)
        }
    }

    func update(_ id: String, _ draft: CandidateDraft) async throws -> Candidate {
        if let bodyID = draft.id, bodyID != id {
            throw APIError.invalid(
                "id", french: "ne correspond pas au candidat de l’adresse (\(id))",
                english: "does not match the candidate in the URL (\(id))")
        }
        let now = Timestamp.now
        let validated = try CandidateValidator.validate(draft, id: id, now: now)
        return try await database.pool.write { db in
            guard let current = try CandidateStore.find(id, db) else { throw APIError.notFound("candidat", id: id) }
            var candidate = validated
            candidate.profile.registeredAt = current.profile.registeredAt
            candidate.profile.consent = try changeConsent(
                current.profile.consent,
                ConsentChange(
                    matching: validated.profile.consent.matching,
                    notifications: validated.profile.consent.notifications,
                    statistics: validated.profile.consent.statistics),
                id: id, via: "api", now: now, db)
            try save(candidate, previous: current, db)
            return candidate
        }
    }

    func changeConsent(_ id: String, _ change: ConsentChange, via: String) async throws -> Candidate {
        let now = Timestamp.now
        return try await database.pool.write { db in
            guard let current = try CandidateStore.find(id, db) else { throw APIError.notFound("candidat", id: id) }
            var candidate = current
            candidate.profile.consent = try changeConsent(
                current.profile.consent, change, id: id, via: via, now: now, db)
            try save(candidate, previous: current, db)
            return candidate
        }
    }

    func consent(_ id: String) async throws -> [String: PurposeConsent] {
        try await database.pool.read { db in
            guard try CandidateStore.exists(id, db) else { throw APIError.notFound("candidat", id: id) }
            return try CandidateStore.consent(id, db)
        }
    }

    /// Erasure: the person's data leaves the registry, its outbox and the file on disk.
    /// `candidate.erased` and `contact.erased` tell every other service to do the same, and
    /// stay in the history as the record's tombstones (`{candidateId}`, nothing else): the
    /// person's earlier events are deleted from the outbox at once, published or not, and a
    /// replay says those seqs are gone on purpose.
    func erase(_ id: String) async throws {
        let forgotten = try await database.pool.write { db -> Int in
            guard try CandidateStore.find(id, db) != nil else { throw APIError.notFound("candidat", id: id) }
            try CandidateStore.delete(id, db)
            try outbox.append(.candidateErased(CandidateErased(candidateId: id)), in: db)
            try outbox.append(.contactErased(ContactErased(candidateId: id)), in: db)
            return try Outbox.forget(record: id, stream: Topic.stream(of: Topic.candidateErased), in: db)
                + Outbox.forget(record: id, stream: Topic.stream(of: Topic.contactErased), in: db)
        }
        // secure_delete has zeroed the freed bytes in the database file; the old pages are
        // still in the WAL until a checkpoint copies them back and truncates it.
        await checkpoint.afterErasure()
        logger.info("candidate erased", metadata: ["candidate": "\(id)", "outboxRowsDeleted": "\(forgotten)"])
    }

    /// The inbox handler: a STOP reply (`notification.reply`, intent `stop`) turns
    /// notifications off.
    func heard(_ envelope: Envelope, _ db: Database) throws {
        guard case .notificationReply(let reply) = envelope.payload, reply.intent == .stop else { return }
        let id = reply.candidateId
        if try stopNotifications(id, at: reply.receivedAt, db) {
            logger.info("notifications stopped by SMS reply", metadata: ["candidate": "\(id)"])
        }
    }

    /// A STOP reply by SMS: notifications consent off (in the inbox's transaction).
    func stopNotifications(_ id: String, at time: Timestamp, _ db: Database) throws -> Bool {
        guard let current = try CandidateStore.find(id, db), current.profile.consent.notifications else { return false }
        var candidate = current
        candidate.profile.consent = try changeConsent(
            current.profile.consent, ConsentChange(notifications: false), id: id, via: "sms", now: time, db)
        try save(candidate, previous: current, db)
        return true
    }

    private func save(_ candidate: Candidate, previous: Candidate, _ db: Database) throws {
        guard candidate != previous else { return }
        try CandidateStore.update(candidate, db)
        if candidate.profile != previous.profile {
            if previous.profile.consent.matching && !candidate.profile.consent.matching {
                try outbox.append(.candidateWithdrawn(candidate.profile), in: db)
            } else {
                try outbox.append(.candidateUpdated(candidate.profile), in: db)
            }
        }
        if candidate.name != previous.name || candidate.contact != previous.contact {
            try emitContact(candidate, db)
        }
    }

    private func emitContact(_ candidate: Candidate, _ db: Database) throws {
        try outbox.append(.contactUpdated(candidate.contactDetails), in: db)
    }

    /// Applies a change per purpose, logging each purpose that changes with its time.
    private func changeConsent(
        _ current: Consent, _ change: ConsentChange, id: String, via: String, now: Timestamp, _ db: Database
    ) throws -> Consent {
        var consent = current
        let changes: [(String, Bool?, WritableKeyPath<Consent, Bool>)] = [
            ("matching", change.matching, \.matching), ("notifications", change.notifications, \.notifications),
            ("statistics", change.statistics, \.statistics),
        ]
        for (purpose, wanted, path) in changes {
            guard let wanted, wanted != consent[keyPath: path] else { continue }
            consent[keyPath: path] = wanted
            consent.givenAt = now
            try CandidateStore.logConsent(id, purpose: purpose, granted: wanted, at: now, via: via, db)
        }
        return consent
    }

    private func purposes(_ consent: Consent) -> [(String, Bool)] {
        [("matching", consent.matching), ("notifications", consent.notifications), ("statistics", consent.statistics)]
    }
}

extension ConsentChange {
    init(notifications: Bool) {
        self.init(matching: nil, notifications: notifications, statistics: nil)
    }
}
