import Foundation
import GRDB
import Logging
import Messages
import ServiceKit

/// The notifier's decisions: what the bus tells it (offers, people, matches) becomes rows
/// and queued messages, in the inbox's transaction; what a phone sends becomes a reply on
/// the bus and an answer queued for it.
struct Notifier: Sendable {
    let database: ServiceDatabase
    let outbox: Outbox
    let channel: String
    let templates: Templates
    let logger: Logger
    /// Set when an erasure deleted rows: the WAL still holds them until a checkpoint.
    let erasedSinceCheckpoint = ErasureFlag()

    /// Exactly one message per (match, channel): the key of its queued message.
    func matchKey(offerId: String, candidateId: String) -> String { "match \(offerId) \(candidateId) \(channel)" }

    /// The inbox handler.
    func apply(_ envelope: Envelope, _ db: Database) throws {
        switch envelope.payload {
        case .offerPublished(let offer), .offerUpdated(let offer), .offerClosed(let offer):
            try NotifierStore.saveOffer(offer, db)
        case .candidateRegistered(let profile), .candidateUpdated(let profile), .candidateWithdrawn(let profile):
            try NotifierStore.saveProfile(profile, db)
        case .contactUpdated(let details):
            try NotifierStore.saveContact(details, db)
        case .candidateErased(let erased):
            try NotifierStore.erase(erased.candidateId, db)
            erasedSinceCheckpoint.set()
        case .contactErased(let erased):
            try NotifierStore.erase(erased.candidateId, db)
            erasedSinceCheckpoint.set()
        case .matchFound(let match):
            try NotifierStore.enqueue(
                dedup: matchKey(offerId: match.offerId, candidateId: match.candidateId),
                candidateId: match.candidateId, offerId: match.offerId, template: "match", db)
        case .matchWithdrawn(let match):
            try NotifierStore.cancel(dedup: matchKey(offerId: match.offerId, candidateId: match.candidateId), db)
        default:
            break
        }
    }

    /// What an inbound SMS did, for the gateway's answer and the tests.
    struct Heard: Codable, Sendable {
        var intent: String
        var repeated: Bool
    }

    /// An SMS from `phone`: recorded once per gateway id, then acted on. Nothing personal
    /// goes back to a number the notifier does not know.
    func heard(from phone: String, text: String, gatewayId: String?, at time: Timestamp) async throws -> Heard {
        let command = InboundCommand(text)
        return try await database.pool.write { db in
            let candidate = try NotifierStore.candidate(phone: phone, db)
            let candidateId: String? = candidate?["id"]
            guard
                try NotifierStore.received(
                    gatewayId: gatewayId, phone: phone, text: text, candidateId: candidateId, now: time, db)
            else { return Heard(intent: "repeated", repeated: true) }
            func reply(_ intent: ReplyIntent, offerId: String? = nil) throws {
                guard let candidateId else { return }
                try outbox.append(
                    .notificationReply(
                        NotificationReply(
                            candidateId: candidateId, offerId: offerId, intent: intent, channel: channel,
                            receivedAt: time)), in: db)
            }
            let language: String? = candidate?["language"]
            /// Queues the answer, written now in the person's language (French for a stranger).
            func answer(_ template: String, offer: Row? = nil, _ values: [String: String] = [:]) throws {
                var values = values
                if let offer { values.merge(Templates.values(offer: OfferFacts(offer), language: language)) { $1 } }
                try NotifierStore.enqueue(
                    dedup: nil, candidateId: candidateId, offerId: offer?["id"], template: template, phone: phone,
                    text: templates.render(template, language: language, values), db)
            }
            switch command {
            case .interested(let reference), .declined(let reference):
                let intent: ReplyIntent = if case .interested = command { .interested } else { .declined }
                guard candidateId != nil, let offer = try NotifierStore.offer(reference: reference, db) else {
                    try answer("help")
                    return Heard(intent: "other", repeated: false)
                }
                try reply(intent, offerId: offer["id"])
                try answer("reply-noted", offer: offer, ["answer": intent == .interested ? "OUI" : "NON"])
                return Heard(intent: intent.rawValue, repeated: false)
            case .stop:
                if let candidateId {
                    try db.execute(sql: "UPDATE candidates SET stopped = 1 WHERE id = ?", arguments: [candidateId])
                    try db.execute(
                        sql:
                            "UPDATE messages SET status = 'cancelled', detail = 'STOP' WHERE candidate_id = ? AND status = 'pending'",
                        arguments: [candidateId])
                }
                try reply(.stop)
                try answer("stop-confirmed")
                return Heard(intent: "stop", repeated: false)
            case .verify(let reference):
                let offer = try NotifierStore.offer(reference: reference, db)
                try reply(.verify, offerId: offer?["id"])
                let status: String? = offer?["status"]
                let template = offer == nil ? "verify-unknown" : status == "open" ? "verify-open" : "verify-closed"
                try answer(template, offer: offer, ["ref": reference])
                return Heard(intent: "verify", repeated: false)
            case .help:
                try reply(.other)
                try answer("help")
                return Heard(intent: "other", repeated: false)
            }
        }
    }

    /// A delivery report from Kannel for message `id`: 1 delivered, 2 and 16 failed (kept
    /// with the code), 4 and 8 on its way.
    func delivered(_ id: String, kannelStatus: Int) async throws {
        let status: String? =
            switch kannelStatus {
            case 1: "delivered"
            case 2, 16: "undelivered"
            default: nil
            }
        try await database.pool.write { db in
            try db.execute(
                sql: """
                    UPDATE messages SET status = COALESCE(?, status), detail = ?, updated = ?
                    WHERE id = ? AND direction = 'out'
                        AND status IN ('sending', 'sent', 'delivered', 'undelivered', 'failed')
                    """,
                arguments: [status, "dlr \(kannelStatus)", Timestamp.now.millisecondsSinceEpoch, id])
        }
    }
}
