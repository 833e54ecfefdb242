import Bus
import Foundation
import GRDB
import Messages
import ServiceKit
import Synchronization

/// What one round of a case measured, or what went wrong.
struct BenchOutcome: Sendable {
    var events: Int
    var elapsed: Duration
    /// The notifier's phases: the inbox queueing a message per match, then the dispatcher.
    var queueing: Duration = .zero
    var dispatching: Duration = .zero
    /// Within dispatching: the time spent inside the channel's `send`.
    var channel: Duration = .zero
    /// Within dispatching: the dispatcher's decisions, measured again after the round on a
    /// sample of the same messages and scaled to all of them.
    var deciding: Duration = .zero
    var problem: String? = nil

    var rate: Double { Double(events) / (elapsed / .seconds(1)) }
}

/// The measured path: `match.found` off the bus → Inbox → `Notifier.apply` (one pending message
/// each) → `Dispatcher.round` until every message is handed to the spool channel.
enum NotifierRound {
    static let burst = 1_000

    static func run(_ workload: BenchWorkload, events: Int) async throws -> BenchOutcome {
        let scratch = try BenchScratch("notifier", "notifier")
        defer { scratch.remove() }
        let database = try ServiceDatabase(directory: scratch.path, name: "notifier") { NotifierStore.migrate(&$0) }
        let spool = try SpoolChannel(directory: (scratch.path as NSString).appendingPathComponent("spool"))
        let channel = TimedChannel(spool)
        let outbox = Outbox(source: "notifier")
        let templates = Templates(directory: nil)
        let notifier = Notifier(
            database: database, outbox: outbox, channel: channel.name, templates: templates,
            logger: BenchWorkload.logger("notifier"))
        // No limit that matters (each candidate gets events / candidates messages), no quiet hours.
        let dispatcher = Dispatcher(
            database: database, outbox: outbox, channel: channel, templates: templates,
            policy: SendingPolicy(dailyLimit: events + 1, quietHours: nil), logger: BenchWorkload.logger("dispatcher"))
        try await workload.seed(notifier, database)
        let inbox = Inbox(
            database: database, streams: [BenchWorkload.stream], logger: BenchWorkload.logger("inbox")
        ) { envelope, db in try notifier.apply(envelope, db) }
        let messages = workload.messages.prefix(events)

        let start = ContinuousClock.now
        for first in stride(from: 0, to: events, by: burst) {
            await inbox.receive(Array(messages[first..<min(events, first + burst)]))
        }
        let queued = ContinuousClock.now
        var sent = 0
        while sent < events {
            let round = try await dispatcher.round()
            if round == 0 { break }  // nothing due any more: the check below says what is missing
            sent += round
        }
        let end = ContinuousClock.now

        var outcome = BenchOutcome(
            events: events, elapsed: start.duration(to: end), queueing: start.duration(to: queued),
            dispatching: queued.duration(to: end), channel: channel.elapsed)
        outcome.problem = try await check(inbox, database, spool: spool.path, events: events, sent: sent)
        if outcome.problem == nil { outcome.deciding = try await decideAgain(dispatcher, database, events: events) }
        return outcome
    }

    /// The messages whose decisions are timed again after a round.
    static let decisionSample = 10_000

    /// Deciding alone, as `Dispatcher.round` does it (one read transaction per batch, the text
    /// and number not yet written), timed on up to ``decisionSample`` of the round's messages
    /// and scaled to all of them: what deciding costs apart from recording the outcome.
    private static func decideAgain(
        _ dispatcher: Dispatcher, _ database: ServiceDatabase, events: Int
    ) async throws -> Duration {
        let sample = min(events, decisionSample)
        let messages = try await database.pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT id, candidate_id, offer_id, template, created FROM messages LIMIT ?",
                arguments: [sample]
            ).map {
                NotifierStore.Due(
                    id: $0["id"], candidateId: $0["candidate_id"], offerId: $0["offer_id"], template: $0["template"],
                    phone: nil, text: nil, attempts: 0, created: $0["created"])
            }
        }
        let now = Timestamp.now
        let timing = ContinuousClock.now
        var start = 0
        while start < messages.count {
            let batch = Array(messages[start..<min(start + dispatcher.batchSize, messages.count)])
            let decisions = try await database.pool.read { db in try dispatcher.decide(batch, now: now, db) }
            for (message, decision) in decisions {
                guard case .send = decision else {
                    throw BenchFailure("message \(message.id) decided again: \(decision)")
                }
            }
            start += batch.count
        }
        return timing.duration(to: .now) * (Double(events) / Double(max(1, messages.count)))
    }

    /// Nil when the inbox applied every event and the spool holds exactly one line per event.
    private static func check(
        _ inbox: Inbox, _ database: ServiceDatabase, spool: String, events: Int, sent: Int
    ) async throws -> String? {
        let applied = try await inbox.appliedSeq(source: BenchWorkload.source, stream: BenchWorkload.stream)
        let statistics = await inbox.statistics
        let lines = try Data(contentsOf: URL(fileURLWithPath: spool)).reduce(0) { $1 == 0x0A ? $0 + 1 : $0 }
        let statuses = try await database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM messages GROUP BY status ORDER BY status")
                .map { "\($0["status"] as String) \($0["n"] as Int)" }
        }
        guard applied == events, statistics.deadLettered == 0, lines == events, sent == events,
            statuses == ["sent \(events)"]
        else {
            return "inbox applied seq \(applied) of \(events) (\(statistics.deadLettered) dead letters); "
                + "dispatcher reported \(sent) sent; spool holds \(lines) lines; messages by status: "
                + "\(statuses.joined(separator: ", "))"
        }
        return nil
    }
}

/// A check that failed outside the usual verification (which returns its problem instead).
struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The yardstick: the same messages, in the same bursts, through an Inbox whose handler does
/// nothing: decoding, ServiceKit's exactly-once bookkeeping (the applied seq, stored in the
/// transaction of each burst) and SQLite's commits, and nothing of the notifier.
enum YardstickRound {
    static func run(_ workload: BenchWorkload, events: Int) async throws -> BenchOutcome {
        let scratch = try BenchScratch("notifier", "yardstick")
        defer { scratch.remove() }
        let database = try ServiceDatabase(directory: scratch.path, name: "notifier") { NotifierStore.migrate(&$0) }
        let inbox = Inbox(
            database: database, streams: [BenchWorkload.stream], logger: BenchWorkload.logger("inbox")
        ) { _, _ in }
        let messages = workload.messages.prefix(events)
        let start = ContinuousClock.now
        for first in stride(from: 0, to: events, by: NotifierRound.burst) {
            await inbox.receive(Array(messages[first..<min(events, first + NotifierRound.burst)]))
        }
        let elapsed = start.duration(to: .now)
        let applied = try await inbox.appliedSeq(source: BenchWorkload.source, stream: BenchWorkload.stream)
        let count = await inbox.statistics.applied
        var outcome = BenchOutcome(events: events, elapsed: elapsed)
        if applied != events || count != events {
            outcome.problem = "the inbox applied \(count) events, up to seq \(applied), of \(events)"
        }
        return outcome
    }
}

/// A channel that times another: how long the dispatcher spends inside `send` (for the spool,
/// opening, appending a JSON line to and closing its file).
final class TimedChannel: NotificationChannel {
    let inner: any NotificationChannel
    private let total = Mutex<Duration>(.zero)

    init(_ inner: any NotificationChannel) { self.inner = inner }

    var name: String { inner.name }
    var recognisesRepeats: Bool { inner.recognisesRepeats }
    var elapsed: Duration { total.withLock { $0 } }

    func send(_ message: OutgoingMessage) async throws -> String? {
        let start = ContinuousClock.now
        defer {
            let elapsed = start.duration(to: .now)
            total.withLock { $0 += elapsed }
        }
        return try await inner.send(message)
    }
}
