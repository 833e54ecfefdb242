import ArgumentParser
import Foundation
import GRDB
import ServiceKit

/// `statistics bench`: events applied per second while catching up on 1,000,000 candidates
/// and 10,000 offers (with their matches, notifications and replies), against the same
/// events only applied by an inbox; then p50 and p99 of `/stats/summary` and of two tables
/// on that store. It lives in the service because the Benchmarks package cannot import an
/// executable.
struct StatisticsBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measures catching up on a million candidates, and the latency of /stats on them.",
        discussion: """
            Two cases, each run once smaller (a tenth) to warm up and then --rounds times, in a fresh \
            temporary folder removed after each round. statistics: every event (offers, candidates, \
            matches, notifications and replies over 24 months, encoded in advance, each stream numbered \
            1…N from its own source) goes through an Inbox whose handler is Aggregator.apply, in bursts \
            of up to 1,000 from one source, the source whose next event is oldest first; timed from the \
            first burst to the last. Then, untimed: cells must equal the cells recomputed from the \
            records, and the exact summary must count the offers, the consenting candidates, the \
            matches and the notifications generated. Then the queries, over HTTP to the service as it \
            is built, and through StatsReader in-process. yardstick: the same messages and bursts \
            through an Inbox whose handler does nothing. A wrong result stops with exit status 1. \
            With the defaults, on 2 cores shared with other work: catching up takes 4 to 4.5 minutes, the \
            whole run 7 to 8.5, and 1.5 GiB at its peak (mostly the encoded envelopes).
            """)

    @Option(help: "candidate.registered events (about 90 % consent to statistics).")
    var candidates = 1_000_000

    @Option(help: "offer.published events (all open).")
    var offers = 10_000

    @Option(help: "match.found events (half of them notified, and a third of those replied to).")
    var matches = 200_000

    @Option(
        help: ArgumentHelp(
            "Measured rounds per case, after one smaller warm-up round (with the defaults a round of both cases, "
                + "checks and queries included, takes 6 to 7 minutes)."))
    var rounds = 1

    @Option(help: "Requests per query and view (exact and public), over HTTP and in-process each.")
    var requests = 1_000

    func validate() throws {
        guard candidates >= 10, offers >= 10, matches >= 0, rounds >= 1, requests >= 1 else {
            throw ValidationError("--candidates and --offers must be at least 10, --rounds and --requests at least 1")
        }
    }

    func run() async throws {
        let began = ContinuousClock.now
        defer { BenchScratch.removeAll("statistics") }
        let encoding = ContinuousClock.now
        let workload = StatsBenchWorkload(candidates: candidates, offers: offers, matches: matches)
        let encoded = encoding.duration(to: .now)
        say(StatsBenchReport.header(workload, rounds: rounds, requests: requests))
        say(
            "envelopes: \(StatsBenchReport.rate(Double(workload.events))) drawn and encoded in advance in "
                + "\(StatsBenchReport.seconds(encoded)) (not timed); \(StatsBenchReport.rate(Double(workload.expected.candidates))) "
                + "candidates consent to statistics")
        say()
        var statistics: [StatsBenchOutcome] = []
        var yardstick: [StatsBenchOutcome] = []
        var timings: [StatsQueryTiming] = []
        for index in 0...rounds {
            let label = index == 0 ? "warm-up" : "round \(index)/\(rounds)"
            let current =
                index == 0
                ? StatsBenchWorkload(
                    candidates: candidates / 10, offers: max(1, offers / 10), matches: matches / 10)
                : workload
            let (mine, queried) = try await statisticsRound(
                current, label, requests: index == 0 ? min(requests, 100) : requests)
            let theirs = try await yardstickRound(current, label)
            guard index > 0 else { continue }
            (statistics, yardstick) = (statistics + [mine], yardstick + [theirs])
            timings =
                timings.isEmpty
                ? queried
                : zip(timings, queried).map { all, more in
                    var merged = all
                    merged.durations += more.durations
                    return merged
                }
        }
        say()
        say(StatsBenchReport.table([("statistics", statistics), ("yardstick", yardstick)]))
        say()
        say(StatsBenchReport.ratio(statistics: statistics, yardstick: yardstick))
        say(StatsBenchReport.breakdown(statistics, workload))
        say()
        say(StatsBenchReport.queries(timings))
        say()
        say(StatsBenchReport.peakMemory())
        say("total run time: \(StatsBenchReport.seconds(began.duration(to: .now)))")
    }

    /// Catch-up, checks and queries on one fresh store.
    private func statisticsRound(
        _ workload: StatsBenchWorkload, _ label: String, requests: Int
    ) async throws -> (StatsBenchOutcome, [StatsQueryTiming]) {
        let scratch = try BenchScratch("statistics", "statistics")
        defer { scratch.remove() }
        let data = (scratch.path as NSString).appendingPathComponent("data")
        let database = try ServiceDatabase(directory: data, name: "statistics") { StatisticsStore.migrate(&$0) }
        let outcome = try await StatsCatchUp.statistics(workload, database: database)
        try report("statistics", label, outcome)
        let (problem, recomputing) = try await StatsCatchUp.verify(database, workload)
        if let problem { try fail("statistics", label, "wrong counts after catching up:\n\(problem)") }
        // What a table of outcomes by destination reads: the whole-period totals of its nine
        // measures, or for a period every month of them.
        let outcomes = Columns.outcomes.map { "'\($0.0.rawValue)'" }.joined(separator: ", ")
        let (cells, totals, monthly) = try await database.pool.read { db in
            let count = "SELECT COUNT(*) FROM cells WHERE measure IN (\(outcomes)) AND month"
            return (
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM cells") ?? 0,
                try Int.fetchOne(db, sql: "\(count) = ?", arguments: [StatisticsStore.allMonths]) ?? 0,
                try Int.fetchOne(db, sql: "\(count) != ?", arguments: [StatisticsStore.allMonths]) ?? 0
            )
        }
        say(
            "  checked: \(StatsBenchReport.rate(Double(cells))) cells equal those recomputed from the records "
                + "(\(StatsBenchReport.seconds(recomputing))), and the summary's counts are the workload's; "
                + "/stats/destination reads \(StatsBenchReport.rate(Double(totals))) whole-period totals "
                + "(a period: up to \(StatsBenchReport.rate(Double(monthly))) monthly cells)")
        do {
            let start = ContinuousClock.now
            let timings = try await StatsBenchQueries.run(
                database, dataDirectory: data, scratch: scratch, requests: requests,
                expectedCandidates: workload.expected.candidates)
            say(
                "  queries: \(timings.count) series of \(requests) in \(StatsBenchReport.seconds(start.duration(to: .now)))"
            )
            return (outcome, timings)
        } catch let failure as StatsBenchFailure {
            try fail("statistics", label, failure.description)
        }
    }

    private func yardstickRound(_ workload: StatsBenchWorkload, _ label: String) async throws -> StatsBenchOutcome {
        let scratch = try BenchScratch("statistics", "yardstick")
        defer { scratch.remove() }
        let outcome = try await StatsCatchUp.yardstick(workload, in: scratch)
        try report("yardstick", label, outcome)
        return outcome
    }

    /// Prints a round's line, or the banner and exit status 1 when it did not apply everything.
    private func report(_ name: String, _ label: String, _ outcome: StatsBenchOutcome) throws {
        if let problem = outcome.problem { try fail(name, label, problem) }
        say(
            "\(name) \(label): \(StatsBenchReport.rate(outcome.rate)) events/s "
                + "(\(StatsBenchReport.rate(Double(outcome.events))) in \(StatsBenchReport.seconds(outcome.elapsed)))")
    }

    private func fail(_ name: String, _ label: String, _ problem: String) throws -> Never {
        let banner = String(repeating: "!", count: 72)
        say("\(banner)\nSTATISTICS BENCH FAILED: \(name) \(label).\n\(problem)\n\(banner)")
        FileHandle.standardError.write(Data("statistics bench: FAILED in \(name) \(label)\n".utf8))
        throw ExitCode.failure
    }

    private func say(_ text: String = "") { StatsBenchReport.say(text) }
}
