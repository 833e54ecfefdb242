import ArgumentParser
import Foundation

/// `bus-throughput`: messages per second delivered end to end, direct and through the broker.
@main
struct BusThroughputCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bus-throughput",
        abstract:
            "Measures bus messages per second, publisher to subscriber: direct, through the broker, and through the broker with security on.",
        discussion: """
            Every case (direct or broker, 256 B or 1 KiB envelopes) runs once to warm up, then --runs
            times; each run publishes --messages envelopes and checks that the subscriber got all of
            them, in order. A run that loses a message stops the benchmark with exit status 1.
            """)

    /// Envelope sizes measured: a small event, and one the size of a typical offer.
    static let sizes = [256, 1024]

    @Option(help: "Messages published per run.")
    var messages = 200_000

    @Option(help: "Measured runs per case, after one warm-up run.")
    var runs = 5

    @Option(
        name: .customLong("broker-binary"),
        help: "Spawn this bus-broker executable for the broker case instead of the in-process BrokerCore.")
    var brokerBinary: String?

    func validate() throws {
        guard messages >= 1, messages < 1 << 48 else { throw ValidationError("--messages must be in 1..<2^48") }
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
        if let brokerBinary, !FileManager.default.isExecutableFile(atPath: brokerBinary) {
            throw ValidationError("--broker-binary \(brokerBinary) is not an executable file")
        }
    }

    func run() async throws {
        let broker =
            if let brokerBinary { try await BrokerUnderTest(binary: brokerBinary) } else { try BrokerUnderTest() }
        let secure = try BrokerUnderTest.secure()
        let encrypted = try BrokerUnderTest.secure(checks: false)
        print(Report.machine(broker: broker.summary + "; secure: " + secure.summary, messages: messages, runs: runs))
        print("")
        var results: [CaseResult] = []
        do {
            for size in Self.sizes {
                let template = try EnvelopeTemplate(size: size, maxSeq: messages)
                let clients = secure.secureClients!
                let curveClients = encrypted.secureClients!
                let routes: [Route] = [
                    .direct, .broker(publishers: broker.publishers, subscribers: broker.subscribers),
                    .secureBroker(
                        publishers: encrypted.publishers, subscribers: encrypted.subscribers,
                        publisher: curveClients.publisher, subscriber: curveClients.subscriber, checks: false),
                    .secureBroker(
                        publishers: secure.publishers, subscribers: secure.subscribers, publisher: clients.publisher,
                        subscriber: clients.subscriber, checks: true),
                ]
                for route in routes {
                    results.append(try await measure(route, template))
                }
            }
        } catch {
            // Never leave a spawned broker behind, whatever failed.
            if let note = await broker.stop() { print(note) }
            _ = await secure.stop()
            _ = await encrypted.stop()
            if error is LostMessages { throw ExitCode.failure }
            throw error
        }
        let note = await broker.stop()
        _ = await secure.stop()
        _ = await encrypted.stop()
        print("")
        print(Report.table(results))
        // What sets the pace of a service: decoding each envelope it receives (one core).
        for size in Self.sizes {
            let template = try EnvelopeTemplate(size: size, maxSeq: messages)
            let decodes = CodecRate.decodes(template)
            let secure = results.first { $0.size == size && $0.route == "broker+curve+acl" }?.median ?? 0
            print(
                "JSON decode of one \(Report.sizeLabel(size)) envelope, one core: \(Report.rate(decodes)) msg/s; "
                    + "the secure broker carries \(String(format: "%.1f", secure / decodes))× that")
        }
        if let note { print(note) }
    }

    /// Raised after the loss was printed; the exit status says it again.
    struct LostMessages: Error {}

    /// One case: a warm-up run (connections, allocations, CPU caches), then the measured runs.
    private func measure(_ route: Route, _ template: EnvelopeTemplate) async throws -> CaseResult {
        let label = "\(route.name) \(Report.sizeLabel(template.size))"
        var rates: [Double] = []
        for run in 0...runs {
            let outcome = try await ThroughputRun.run(route: route, template: template, count: messages)
            let name = run == 0 ? "warm-up" : "run \(run)/\(runs)"
            if let problem = outcome.problem {
                let banner = String(repeating: "!", count: 72)
                let text = """
                    \(banner)
                    MESSAGES LOST: \(label) \(name): received \(outcome.received) of \(messages) in order.
                    \(problem)
                    \(banner)
                    """
                print(text)
                // Also on stderr, for whoever sends stdout to a file.
                FileHandle.standardError.write(Data("bus-throughput: MESSAGES LOST in \(label) \(name)\n".utf8))
                throw LostMessages()
            }
            let seconds = outcome.elapsed / .seconds(1)
            let rate = Double(messages) / seconds
            print("\(label) \(name): \(Report.rate(rate)) msg/s (\(String(format: "%.3f", seconds)) s)")
            if run > 0 { rates.append(rate) }
        }
        return CaseResult(route: route.name, size: template.size, rates: rates)
    }
}
