import ArgumentParser
import Bus
import Foundation

/// `delivery-throughput`: durable events per second, outbox to applied effect, against
/// SQLite's own insert rate for the same rows.
@main
struct DeliveryThroughputCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delivery-throughput",
        abstract: "Measures durable delivery (outbox → relay → broker → inbox → effect) against SQLite's own rate.",
        discussion: """
            Three cases, each run once smaller to warm up and then --runs times: end to end (publisher
            appends, relay publishes, inbox applies, all committed in two SQLite files), catch-up (a
            fresh inbox replays a pre-filled publisher), and the yardstick (the same rows inserted into
            one SQLite file, nothing else). Every run checks that each event was applied exactly once,
            in order; a run that loses one stops the benchmark with exit status 1.
            """)

    @Option(help: "Events per end-to-end run, and rows per yardstick run.")
    var events = 200_000

    @Option(name: .customLong("publish-batch"), help: "Events per publisher write transaction.")
    var publishBatch = 100

    @Option(name: .customLong("catch-up-events"), help: "Events pre-filled and replayed per catch-up run.")
    var catchUpEvents = 1_000_000

    @Option(help: "Measured runs per case, after one smaller warm-up run.")
    var runs = 3

    func validate() throws {
        guard events >= 1, catchUpEvents >= 1 else { throw ValidationError("event counts must be at least 1") }
        guard publishBatch >= 1 else { throw ValidationError("--publish-batch must be at least 1") }
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
    }

    /// Raised after the failure was printed; the exit status says it again.
    struct DeliveryFailed: Error {}

    func run() async throws {
        say(Report.header(events: events, publishBatch: publishBatch, catchUpEvents: catchUpEvents, runs: runs))
        say("")
        defer { Scratch.removeAll() }
        let broker = try startBroker()
        let results: [CaseResult]
        do {
            results = try await measureAll(broker)
        } catch {
            await broker.stop()
            if error is DeliveryFailed { throw ExitCode.failure }
            throw error
        }
        await broker.stop()
        say("")
        say(Report.table(results))
        say("")
        say(Report.ratios(endToEnd: results[0], catchUp: results[1], yardstick: results[2]))
        say(Report.peakMemory())
    }

    private func measureAll(_ broker: BrokerCore) async throws -> [CaseResult] {
        let endToEnd = try await measure("end-to-end", events: events) { count in
            try await EndToEndRun.run(events: count, batch: publishBatch, broker: broker)
        }
        let catchUp = try await CatchUpRun.withReplaySource(events: catchUpEvents) { endpoint, filling in
            let rate = Report.rate(Double(catchUpEvents) / (filling / .seconds(1)))
            say("catch-up source: pre-filled in \(Report.seconds(filling)) (\(rate) events/s), replay \(endpoint)")
            return try await measure("catch-up", events: catchUpEvents) { count in
                try await CatchUpRun.run(events: count, endpoint: endpoint)
            }
        }
        // Encoded once, outside the timed part: the yardstick measures SQLite, not the encoder.
        // What encoding costs is printed, as it is part of every Outbox.append.
        let encoding = ContinuousClock.now
        let rows = YardstickRun.rows(events: events)
        let perEnvelope = encoding.duration(to: .now) / .microseconds(1) / Double(events)
        say(String(format: "yardstick rows: %d envelopes encoded in advance, %.1f µs each", events, perEnvelope))
        let yardstick = try await measure("yardstick", events: events) { count in
            try await YardstickRun.run(rows.prefix(count))
        }
        return [endToEnd, catchUp, yardstick]
    }

    /// A warm-up run of a tenth of the size (files, sockets, caches, allocator), then the
    /// measured runs; each prints its line as it ends.
    private func measure(
        _ name: String, events: Int, _ run: (Int) async throws -> RunOutcome
    ) async throws -> CaseResult {
        var rates: [Double] = []
        for index in 0...runs {
            let count = index == 0 ? max(1, events / 10) : events
            let label = index == 0 ? "warm-up" : "run \(index)/\(runs)"
            let outcome = try await run(count)
            if let problem = outcome.problem {
                let banner = String(repeating: "!", count: 72)
                say(
                    """
                    \(banner)
                    DELIVERY FAILED: \(name) \(label), \(Report.rate(Double(count))) events.
                    \(problem)
                    \(banner)
                    """)
                // Also on stderr, for whoever sends stdout to a file.
                FileHandle.standardError.write(Data("delivery-throughput: DELIVERY FAILED in \(name) \(label)\n".utf8))
                throw DeliveryFailed()
            }
            let detail = outcome.detail.isEmpty ? "" : "; \(outcome.detail)"
            say(
                "\(name) \(label): \(Report.rate(outcome.rate)) events/s "
                    + "(\(Report.rate(Double(count))) in \(Report.seconds(outcome.elapsed))\(detail))")
            if index > 0 { rates.append(outcome.rate) }
        }
        return CaseResult(name: name, events: events, rates: rates)
    }
}

/// Writes one line to stdout at once, unbuffered even into a pipe or a file, so that a run of
/// several minutes shows its progress (`print` would hold it back in stdio's buffer).
func say(_ text: String = "") {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
