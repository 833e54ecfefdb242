import Foundation
import GRDB
import Logging
import Messages
import ServiceKit
import Synchronization

/// What one catch-up round measured, or what went wrong.
struct StatsBenchOutcome: Sendable {
    var events: Int
    var elapsed: Duration
    /// Statistics only: the time inside `Aggregator.apply`, by stream.
    var handler: [String: Duration] = [:]
    var problem: String? = nil

    var rate: Double { Double(events) / (elapsed / .seconds(1)) }
}

/// The measured path: every burst → Inbox (decoding, exactly-once bookkeeping, one
/// transaction per burst) → the handler; `Aggregator.apply` for statistics, nothing for the
/// yardstick. The same messages and bursts for both.
enum StatsCatchUp {
    static var streams: Set<String> { ["offer", "candidate", "match", "notification"] }

    /// Statistics: the service's own aggregation in the inbox's transactions, timed per stream.
    static func statistics(
        _ workload: StatsBenchWorkload, database: ServiceDatabase
    ) async throws -> StatsBenchOutcome {
        let aggregator = Aggregator(contributions: Contributions(goodScore: 70))
        let spent = StreamClock()
        let inbox = Inbox(database: database, streams: streams, logger: StatsBenchReport.logger("inbox")) {
            envelope, db in
            let start = ContinuousClock.now
            defer { spent.add(start.duration(to: .now), to: envelope.stream) }
            try aggregator.apply(envelope, db)
        }
        let elapsed = await feed(workload, to: inbox)
        var outcome = StatsBenchOutcome(events: workload.events, elapsed: elapsed, handler: spent.totals)
        outcome.problem = try await unapplied(inbox, workload)
        return outcome
    }

    /// The yardstick: an inbox whose handler does nothing, on the statistics' own schema.
    static func yardstick(
        _ workload: StatsBenchWorkload, in scratch: BenchScratch
    ) async throws
        -> StatsBenchOutcome
    {
        let database = try ServiceDatabase(directory: scratch.path, name: "statistics") {
            StatisticsStore.migrate(&$0)
        }
        let inbox = Inbox(database: database, streams: streams, logger: StatsBenchReport.logger("inbox")) { _, _ in }
        let elapsed = await feed(workload, to: inbox)
        var outcome = StatsBenchOutcome(events: workload.events, elapsed: elapsed)
        outcome.problem = try await unapplied(inbox, workload)
        return outcome
    }

    private static func feed(_ workload: StatsBenchWorkload, to inbox: Inbox) async -> Duration {
        let start = ContinuousClock.now
        for burst in workload.bursts {
            await inbox.receive(Array(workload.streams[burst.stream].messages[burst.range]))
        }
        return start.duration(to: .now)
    }

    /// Nil when the inbox applied every event of every stream, none as a dead letter.
    private static func unapplied(_ inbox: Inbox, _ workload: StatsBenchWorkload) async throws -> String? {
        var problems: [String] = []
        for stream in workload.streams {
            let applied = try await inbox.appliedSeq(source: stream.source, stream: stream.stream)
            if applied != stream.messages.count {
                problems.append(
                    "\(stream.source)/\(stream.stream): applied up to \(applied) of \(stream.messages.count)")
            }
        }
        let statistics = await inbox.statistics
        if statistics.applied != workload.events || statistics.deadLettered > 0 {
            problems.append(
                "the inbox applied \(statistics.applied) events of \(workload.events), "
                    + "\(statistics.deadLettered) kept as dead letters")
        }
        return problems.isEmpty ? nil : problems.joined(separator: "; ")
    }

    /// After a statistics round, untimed: `cells` equals the cells recomputed from the records,
    /// and the exact summary counts what the workload generated. Returns the problem and how
    /// long the recomputation took.
    static func verify(
        _ database: ServiceDatabase, _ workload: StatsBenchWorkload
    ) async throws -> (problem: String?, recomputing: Duration) {
        let aggregator = Aggregator(contributions: Contributions(goodScore: 70))
        let start = ContinuousClock.now
        let (stored, recomputed) = try await database.pool.read { db in
            (try StatisticsStore.allCells(db), try aggregator.recomputed(db))
        }
        let recomputing = start.duration(to: .now)
        var problems: [String] = []
        if stored != recomputed {
            let differing = Set(stored.keys).union(recomputed.keys).filter { stored[$0] != recomputed[$0] }
            let some = differing.prefix(5).map {
                "\($0.measure.rawValue) \($0.k1) \($0.k2) \($0.month): stored \(stored[$0] ?? 0), "
                    + "recomputed \(recomputed[$0] ?? 0)"
            }
            problems.append(
                "cells differ from the recomputed ones in \(differing.count) of \(stored.count) cells: "
                    + some.joined(separator: "; "))
        }
        let summary = try await StatsReader(database: database, threshold: 5).summary(view: .exact, period: .all)
        let expected = workload.expected
        for (key, number) in [
            ("offers", expected.offers), ("candidates", expected.candidates), ("matches", expected.matches),
            ("notificationsSent", expected.notificationsSent),
        ] {
            let figure = summary.figures.first { $0.key == key }?.value
            if figure != .exact(number) {
                problems.append("the summary's \(key) is \(String(describing: figure)), not \(number)")
            }
        }
        return (problems.isEmpty ? nil : problems.joined(separator: "\n"), recomputing)
    }
}

/// Time added up by stream, from the inbox's handler.
final class StreamClock: Sendable {
    private let spent = Mutex<[String: Duration]>([:])

    func add(_ duration: Duration, to stream: String) { spent.withLock { $0[stream, default: .zero] += duration } }

    var totals: [String: Duration] { spent.withLock { $0 } }
}
