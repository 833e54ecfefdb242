import ArgumentParser
import Foundation
import ServiceKit

/// `notifier bench`: notifications decided and handed to the spool channel per second, from
/// `match.found` events as they come off the bus, against the same events only applied by an
/// inbox. It lives in the notifier because the Benchmarks package cannot import an executable.
struct NotifierBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measures notifications handed to the spool per second against an inbox that only applies.",
        discussion: """
            Two cases, each run once smaller to warm up and then --rounds times, in a fresh temporary \
            folder removed after each round. notifier: match.found envelopes (distinct offer and candidate \
            pairs, after 200 offers and the candidates were applied untimed) go through an Inbox whose \
            handler is the notifier's, in bursts of 1,000, then Dispatcher.round runs until every message \
            is in the spool file; timed from the first burst to the last message handed to the spool. \
            yardstick: the same messages and bursts through an Inbox whose handler does nothing. A round \
            whose spool does not hold exactly one line per event stops the benchmark with exit status 1.
            """)

    @Option(help: "match.found events per round.")
    var events = 100_000

    @Option(help: "Measured rounds per case, after one smaller warm-up round.")
    var rounds = 3

    @Option(help: "Candidates the matches go to (each gets events / candidates of them).")
    var candidates = 10_000

    func validate() throws {
        guard events >= 1, rounds >= 1, candidates >= 1 else {
            throw ValidationError("--events, --rounds and --candidates must be at least 1")
        }
        guard events <= candidates * BenchWorkload.offers else {
            throw ValidationError(
                "\(events) distinct (offer, candidate) pairs need at least \(events / BenchWorkload.offers + 1) "
                    + "candidates (\(BenchWorkload.offers) offers): raise --candidates")
        }
    }

    func run() async throws {
        defer { BenchScratch.removeAll("notifier") }
        let encoding = ContinuousClock.now
        let workload = BenchWorkload(events: events, candidates: candidates)
        let perEnvelope = encoding.duration(to: .now) / .microseconds(1) / Double(events)
        let database = try await BenchReport.databaseSettings()
        say(
            BenchReport.header(
                events: events, rounds: rounds, candidates: candidates, workload: workload, database: database))
        say(String(format: "envelopes: %d encoded in advance, %.1f µs each (not timed)", events, perEnvelope))
        say()
        var notifier: [BenchOutcome] = []
        var yardstick: [BenchOutcome] = []
        for index in 0...rounds {
            let count = index == 0 ? max(1, events / 10) : events
            let label = index == 0 ? "warm-up" : "round \(index)/\(rounds)"
            let mine = try await NotifierRound.run(workload, events: count)
            try report("notifier", label, mine)
            let theirs = try await YardstickRound.run(workload, events: count)
            try report("yardstick", label, theirs)
            if index > 0 { (notifier, yardstick) = (notifier + [mine], yardstick + [theirs]) }
        }
        say()
        say(BenchReport.table(notifier: notifier, yardstick: yardstick))
        say()
        say(BenchReport.ratio(notifier: notifier, yardstick: yardstick))
        say(BenchReport.breakdown(notifier))
        say(BenchReport.peakMemory())
    }

    /// Prints a round's line, or a banner and exit status 1 when it did not deliver everything.
    private func report(_ name: String, _ label: String, _ outcome: BenchOutcome) throws {
        if let problem = outcome.problem {
            let banner = String(repeating: "!", count: 72)
            say("\(banner)\nNOTIFIER BENCH FAILED: \(name) \(label), \(outcome.events) events.\n\(problem)\n\(banner)")
            FileHandle.standardError.write(Data("notifier bench: FAILED in \(name) \(label)\n".utf8))
            throw ExitCode.failure
        }
        var detail = ""
        if name == "notifier" {
            detail =
                "; queueing \(BenchReport.seconds(outcome.queueing)), dispatching "
                + "\(BenchReport.seconds(outcome.dispatching)) of which spool \(BenchReport.seconds(outcome.channel))"
        }
        say(
            "\(name) \(label): \(BenchReport.rate(outcome.rate)) events/s "
                + "(\(BenchReport.rate(Double(outcome.events))) in \(BenchReport.seconds(outcome.elapsed))\(detail))")
    }
}

/// Writes one line to stdout at once, even into a pipe or a file, so that a long run shows its progress.
func say(_ text: String = "") {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
