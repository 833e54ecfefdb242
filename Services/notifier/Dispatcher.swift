import Foundation
import GRDB
import Logging
import Messages
import ServiceKit

/// Sends what is queued, when it may go: consent given, channel SMS, not stopped, within the
/// daily limit, outside quiet hours (the candidate's local time). A failing channel is
/// retried with back-off; after the last try, `notification.failed`. A success is recorded
/// with `notification.sent` in one transaction (neither carries the number or the text).
struct Dispatcher: Sendable {
    let database: ServiceDatabase
    let outbox: Outbox
    let channel: any NotificationChannel
    let templates: Templates
    let policy: SendingPolicy
    let logger: Logger

    /// One round: everything due now, 200 at a time without waiting in between (each
    /// message looked at once per round); returns how many were handed to the channel.
    @discardableResult
    func round(now: Timestamp = .now) async throws -> Int {
        var sent = 0
        var seen = Set<String>()
        while true {
            let due = try await database.pool.read { db in try NotifierStore.due(now: now, limit: 200, db) }
            let fresh = due.filter { seen.insert($0.id).inserted }
            for message in fresh where try await send(message, now: now) { sent += 1 }
            if due.count < 200 || fresh.isEmpty { return sent }
        }
    }

    /// What to do with one due message.
    enum Decision {
        case send(to: String, text: String)
        case later(Timestamp, String)
        case skip(String)
    }

    func decide(_ message: NotifierStore.Due, now: Timestamp, _ db: Database) throws -> Decision {
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
        let sentToday = try NotifierStore.sentCount(candidateId: candidateId, since: policy.startOfDay(now), db)
        if sentToday >= policy.dailyLimit { return .later(policy.nextDay(now), "daily limit reached") }
        if let end = policy.quietUntil(now, residence: candidate["residence"]) { return .later(end, "quiet hours") }
        let language: String? = candidate["language"]
        return .send(
            to: phone,
            text: templates.render(
                message.template, language: language, Templates.values(offer: offer, language: language)))
    }

    private func send(_ message: NotifierStore.Due, now: Timestamp) async throws -> Bool {
        let decision = try await database.pool.read { db in try decide(message, now: now, db) }
        switch decision {
        case .skip(let reason):
            try await database.pool.write { db in
                try NotifierStore.update(message.id, status: "skipped", detail: reason, db)
            }
            return false
        case .later(let time, let reason):
            try await database.pool.write { db in
                try NotifierStore.update(message.id, status: "pending", nextAttempt: time, detail: reason, db)
            }
            return false
        case .send(let phone, let text):
            let attempt = message.attempts + 1
            let outgoing = OutgoingMessage(id: message.id, to: phone, text: text, template: message.template)
            do {
                let receipt = try await channel.send(outgoing)
                try await database.pool.write { db in
                    try NotifierStore.update(
                        message.id, status: "sent", text: text, phone: phone, channel: channel.name, attempts: attempt,
                        detail: receipt, db)
                    if let candidateId = message.candidateId {
                        try outbox.append(
                            .notificationSent(
                                NotificationEvent(
                                    notificationId: message.id, candidateId: candidateId, offerId: message.offerId,
                                    channel: channel.name, template: message.template, attempt: attempt)), in: db)
                    }
                }
                return true
            } catch {
                let reason = "\(error)"
                let last = attempt >= policy.maxAttempts
                try await database.pool.write { db in
                    try NotifierStore.update(
                        message.id, status: last ? "failed" : "pending", channel: channel.name, attempts: attempt,
                        nextAttempt: last ? nil : policy.retryTime(after: attempt, now: .now), detail: reason, db)
                    if last, let candidateId = message.candidateId {
                        try outbox.append(
                            .notificationFailed(
                                NotificationEvent(
                                    notificationId: message.id, candidateId: candidateId, offerId: message.offerId,
                                    channel: channel.name, template: message.template, attempt: attempt,
                                    reason: String(reason.prefix(300)))), in: db)
                    }
                }
                logger.warning(
                    last ? "notification failed: no more tries" : "notification not sent; will retry",
                    metadata: ["message": "\(message.id)", "attempt": "\(attempt)", "error": "\(reason)"])
                return false
            }
        }
    }
}

/// When messages may go: the daily limit per candidate, quiet hours in the candidate's local
/// time, and the retries of a failing channel.
struct SendingPolicy: Sendable {
    var dailyLimit = 3
    /// Minutes after local midnight: `21:00-07:00` is (1260, 420); nil: none.
    var quietHours: (start: Int, end: Int)?
    var maxAttempts = 5
    var retryBase: Duration = .seconds(1)

    /// The UTC offset, in minutes, of a country of residence (standard time; Mali and most
    /// of West Africa are UTC).
    static let offsets: [String: Int] = [
        "FR": 60, "ES": 60, "IT": 60, "DE": 60, "BE": 60, "PT": 0, "GB": 0, "MA": 60, "DZ": 60, "TN": 60,
        "SA": 180, "AE": 240, "QA": 180, "KW": 180, "CA": -300, "US": -300, "CN": 480, "GA": 60, "CM": 60,
        "CG": 60, "CD": 60, "AO": 60, "GQ": 60,
    ]

    func startOfDay(_ now: Timestamp) -> Timestamp {
        Timestamp(millisecondsSinceEpoch: now.millisecondsSinceEpoch - now.millisecondsSinceEpoch % 86_400_000)
    }

    func nextDay(_ now: Timestamp) -> Timestamp {
        Timestamp(millisecondsSinceEpoch: startOfDay(now).millisecondsSinceEpoch + 86_400_000)
    }

    /// The end of the quiet hours if `now` falls in them for someone living in `residence`.
    func quietUntil(_ now: Timestamp, residence: String?) -> Timestamp? {
        guard let quietHours else { return nil }
        let offset = Int64(Self.offsets[residence ?? "ML"] ?? 0) * 60_000
        let local = now.millisecondsSinceEpoch + offset
        let minute = Int((local % 86_400_000) / 60_000)
        let (start, end) = quietHours
        let inside = start <= end ? (minute >= start && minute < end) : (minute >= start || minute < end)
        guard inside else { return nil }
        var wait = end - minute
        if wait <= 0 { wait += 1_440 }
        return Timestamp(millisecondsSinceEpoch: now.millisecondsSinceEpoch + Int64(wait) * 60_000 - local % 60_000)
    }

    func retryTime(after attempt: Int, now: Timestamp) -> Timestamp {
        let delay = min(retryBase * (1 << min(attempt - 1, 10)), .seconds(300))
        let milliseconds = delay.components.seconds * 1_000 + delay.components.attoseconds / 1_000_000_000_000_000
        return Timestamp(millisecondsSinceEpoch: now.millisecondsSinceEpoch + milliseconds)
    }

    /// `HH:MM-HH:MM`, or empty for none.
    static func quietHours(_ text: String) throws(SettingsError) -> (start: Int, end: Int)? {
        guard !text.isEmpty else { return nil }
        func minutes(_ part: Substring) -> Int? {
            let pieces = part.split(separator: ":")
            guard pieces.count == 2, let hour = Int(pieces[0]), let minute = Int(pieces[1]), (0..<24).contains(hour),
                (0..<60).contains(minute)
            else { return nil }
            return hour * 60 + minute
        }
        let parts = text.split(separator: "-")
        guard parts.count == 2, let start = minutes(parts[0]), let end = minutes(parts[1]), start != end else {
            throw SettingsError.invalid(
                key: "notifier.quietHours", reason: "'\(text)' is not HH:MM-HH:MM, e.g. 21:00-07:00")
        }
        return (start, end)
    }
}
