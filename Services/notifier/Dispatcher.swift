import Foundation
import GRDB
import Logging
import Messages
import ServiceKit

/// Sends what is queued, when it may go: consent given, channel SMS, not stopped, within the
/// daily limit, outside quiet hours (the candidate's local time). A failing channel is
/// retried with back-off; after the last try, `notification.failed`. A success is recorded
/// with `notification.sent` in one transaction (neither carries the number or the text).
///
/// Work goes in batches of up to 200 due messages, three transactions each rather than three
/// per message: one read decides the whole batch; one write records the skips and the waits
/// and marks what will go as `sending` (with its number and text); then each goes to the
/// channel; one write records the outcomes. A message still `sending` when the notifier
/// starts was being handed over when it stopped: `recoverInterrupted` sends it again through
/// a channel that recognises a message by its id (webhook's Idempotency-Key, the spool's
/// `id`), and otherwise (Kannel) records it failed rather than risk a second SMS to the person.
struct Dispatcher: Sendable {
    let database: ServiceDatabase
    let outbox: Outbox
    let channel: any NotificationChannel
    let templates: Templates
    let policy: SendingPolicy
    let logger: Logger
    var batchSize = 200
    /// `passerelle_notifications_total{channel, outcome}` when the service counts (the bench does not).
    var counters: DispatchCounters?

    /// One round: everything due now, a batch at a time without waiting in between (each
    /// message looked at once per round); returns how many were handed to the channel.
    @discardableResult
    func round(now: Timestamp = .now) async throws -> Int {
        var sent = 0
        var seen = Set<String>()
        while true {
            let looked = seen
            let (due, plan) = try await database.pool.read { db in
                let due = try NotifierStore.due(now: now, limit: batchSize, db)
                return (due.count, try decide(due.filter { !looked.contains($0.id) }, now: now, db))
            }
            for (message, _) in plan { seen.insert(message.id) }
            sent += try await carry(plan, now: now)
            if due < batchSize || plan.isEmpty { return sent }
        }
    }

    /// What to do with one due message.
    enum Decision {
        case send(to: String, text: String)
        case later(Timestamp, String)
        case skip(String)
    }

    /// Decides a batch in one read; the daily limit counts what this batch already sends.
    func decide(
        _ batch: [NotifierStore.Due], now: Timestamp, _ db: Database
    ) throws -> [(
        NotifierStore.Due, Decision
    )] {
        var planned: [String: Int] = [:]
        return try batch.map { message in
            let decision = try decide(message, now: now, alreadyPlanned: planned, db)
            if case .send = decision, let candidateId = message.candidateId { planned[candidateId, default: 0] += 1 }
            return (message, decision)
        }
    }

    func decide(
        _ message: NotifierStore.Due, now: Timestamp, alreadyPlanned: [String: Int] = [:], _ db: Database
    )
        throws -> Decision
    {
        // An answer to an inbound SMS: written when it came, goes to the number that wrote.
        if let text = message.text, let phone = message.phone { return .send(to: phone, text: text) }
        // The profile and contact come from the registry, the match from the matcher: either
        // may arrive first. Wait a day for them (an erasure deletes the message meanwhile).
        guard let candidateId = message.candidateId, let candidate = try NotifierStore.candidate(candidateId, db),
            let phone: String = candidate["phone"]
        else {
            return now.millisecondsSinceEpoch - message.created > 86_400_000
                ? .skip("no phone number")
                : .later(Timestamp(millisecondsSinceEpoch: now.millisecondsSinceEpoch + 5_000), "waiting for contact")
        }
        guard candidate["notifications"] as Bool? == true else { return .skip("no consent to notifications") }
        guard candidate["stopped"] as Bool? != true else { return .skip("STOP") }
        guard candidate["channel"] as String? == "sms" else { return .skip("preferred channel is not SMS") }
        guard let offerId = message.offerId, let offerRow = try NotifierStore.offer(offerId, db) else {
            return .later(
                Timestamp(millisecondsSinceEpoch: now.millisecondsSinceEpoch + 5_000), "waiting for the offer")
        }
        let offer = OfferFacts(offerRow)
        guard offer.status == "open" else { return .skip("offer \(offer.status)") }
        let sentToday =
            try NotifierStore.sentCount(candidateId: candidateId, since: policy.startOfDay(now), db)
            + alreadyPlanned[candidateId, default: 0]
        if sentToday >= policy.dailyLimit { return .later(policy.nextDay(now), "daily limit reached") }
        if let end = policy.quietUntil(now, residence: candidate["residence"]) { return .later(end, "quiet hours") }
        let language: String? = candidate["language"]
        return .send(
            to: phone,
            text: templates.render(
                message.template, language: language, Templates.values(offer: offer, language: language)))
    }

    /// What happened to one message handed to the channel.
    private struct Outcome {
        let message: NotifierStore.Due
        let attempt: Int
        let error: String?
        let receipt: String?
    }

    /// Records a decided batch, hands what may go to the channel, records the outcomes.
    private func carry(_ plan: [(NotifierStore.Due, Decision)], now: Timestamp) async throws -> Int {
        guard !plan.isEmpty else { return 0 }
        let channelName = channel.name
        let going: [(NotifierStore.Due, OutgoingMessage)] = try await database.pool.write { db in
            var going: [(NotifierStore.Due, OutgoingMessage)] = []
            for (message, decision) in plan {
                switch decision {
                case .skip(let reason):
                    try NotifierStore.update(message.id, status: "skipped", detail: reason, now: now, db)
                case .later(let time, let reason):
                    try NotifierStore.update(
                        message.id, status: "pending", nextAttempt: time, detail: reason, now: now, db)
                case .send(let phone, let text):
                    try NotifierStore.update(
                        message.id, status: "sending", text: text, phone: phone, channel: channelName,
                        attempts: message.attempts + 1, now: now, db)
                    going.append(
                        (message, OutgoingMessage(id: message.id, to: phone, text: text, template: message.template)))
                }
            }
            return going
        }
        guard !going.isEmpty else { return 0 }
        var outcomes: [Outcome] = []
        outcomes.reserveCapacity(going.count)
        for (message, outgoing) in going {
            do {
                let receipt = try await channel.send(outgoing)
                outcomes.append(Outcome(message: message, attempt: message.attempts + 1, error: nil, receipt: receipt))
            } catch {
                outcomes.append(
                    Outcome(message: message, attempt: message.attempts + 1, error: "\(error)", receipt: nil))
            }
        }
        let finished = outcomes
        let recorded = try await database.pool.write { db in try finished.filter { try record($0, db) } }
        for outcome in recorded {
            counters?.count(outcome.error == nil ? .sent : outcome.attempt >= policy.maxAttempts ? .failed : .retried)
            guard let reason = outcome.error else { continue }
            logger.warning(
                outcome.attempt >= policy.maxAttempts
                    ? "notification failed: no more tries" : "notification not sent; will retry",
                metadata: ["message": "\(outcome.message.id)", "attempt": "\(outcome.attempt)", "error": "\(reason)"])
        }
        return recorded.count { $0.error == nil }
    }

    /// One outcome, in the batch's write; false when it was not recorded: a message erased, or
    /// taken over by a restarted notifier, while it was with the channel keeps what happened
    /// meanwhile and publishes nothing.
    private func record(_ outcome: Outcome, _ db: Database) throws -> Bool {
        let message = outcome.message
        let now = Timestamp.now
        guard let reason = outcome.error else {
            guard try NotifierStore.markSent(message.id, detail: outcome.receipt, now: now, db) else { return false }
            if let candidateId = message.candidateId {
                try outbox.append(
                    .notificationSent(
                        NotificationEvent(
                            notificationId: message.id, candidateId: candidateId, offerId: message.offerId,
                            channel: channel.name, template: message.template, attempt: outcome.attempt)), in: db)
            }
            return true
        }
        let last = outcome.attempt >= policy.maxAttempts
        guard
            try NotifierStore.markNotSent(
                message.id, final: last,
                nextAttempt: last ? nil : policy.retryTime(after: outcome.attempt, now: now), detail: reason,
                now: now, db)
        else { return false }
        if last, let candidateId = message.candidateId {
            try outbox.append(
                .notificationFailed(
                    NotificationEvent(
                        notificationId: message.id, candidateId: candidateId, offerId: message.offerId,
                        channel: channel.name, template: message.template, attempt: outcome.attempt,
                        reason: String(reason.prefix(300)))), in: db)
        }
        return true
    }

    /// At start: messages left `sending` by a notifier that stopped while handing them over.
    /// Returns how many were queued again and how many were recorded failed.
    @discardableResult
    func recoverInterrupted() async throws -> (again: Int, failed: Int) {
        let resend = channel.recognisesRepeats
        let channelName = channel.name
        let reason =
            "interrupted: the notifier stopped while handing the message to \(channelName); "
            + "not sent again, so that the person does not get it twice"
        let counts: (again: Int, failed: Int) = try await database.pool.write { db in
            let interrupted = try NotifierStore.interrupted(db)
            for message in interrupted {
                if resend {
                    try NotifierStore.update(
                        message.id, status: "pending", nextAttempt: .now, detail: "interrupted; sent again", db)
                    continue
                }
                try NotifierStore.update(message.id, status: "failed", detail: reason, db)
                if let candidateId = message.candidateId {
                    try outbox.append(
                        .notificationFailed(
                            NotificationEvent(
                                notificationId: message.id, candidateId: candidateId, offerId: message.offerId,
                                channel: channelName, template: message.template, attempt: message.attempts,
                                reason: reason)), in: db)
                }
            }
            return resend ? (again: interrupted.count, failed: 0) : (again: 0, failed: interrupted.count)
        }
        if counts.again + counts.failed > 0 {
            logger.warning(
                "messages interrupted while being handed to the channel",
                metadata: ["sentAgain": "\(counts.again)", "recordedFailed": "\(counts.failed)"])
        }
        return counts
    }
}
