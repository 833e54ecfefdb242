import ArgumentParser
import Bus
import Foundation
import Messages
import ServiceKit
import UnixSignals

/// `bus-tap`: watch the bus from a terminal or a script.
@main
struct BusTapCommand: AsyncParsableCommand {
    static let identity = ServiceIdentity(name: "bus-tap")

    static let configuration = CommandConfiguration(
        commandName: "bus-tap",
        abstract: "Prints the messages crossing the Passerelle bus, one line each.",
        discussion: """
            Without PREFIX every message is shown. A line reads: time, topic, source#seq, and
            the start of the payload. --json prints each envelope as received, one per line.
            Malformed messages are reported on standard error and skipped.
            Gaps and duplicates in each source's numbering of a stream are reported on standard
            error (the line is marked [gap] or [dup]), with a summary per stream at the end.
            Each readable line ends with the latency from the envelope's time to its reception.
            Names, phones and e-mails in payloads are masked unless the tap's identity may read
            contact. (acl.yaml), or --unmask on a bus without keys.
            Exit status: 0, or 1 when --timeout ends the tap before --count messages arrived.
            """)

    @Argument(help: "Topic prefixes to show, e.g. offer. or candidate.registered.")
    var prefixes: [String] = []

    @Flag(help: "Print each envelope as one JSON line, exactly as received.")
    var json = false

    @Option(help: "Exit after N messages.")
    var count: Int?

    @Option(help: "Exit when no message arrived for SECONDS.")
    var timeout: Double?

    @Flag(help: "Count instead of printing: messages per second per topic and source, latency, gaps.")
    var stats = false

    @Option(name: .customLong("stats-interval"), help: "Seconds between two --stats blocks (default 1).")
    var statsInterval: Double = 1

    @Option(
        name: .customLong("from"),
        help: "SOURCE/STREAM:SEQ: print that stream's history from SEQ (replay), then go on live. Repeatable.")
    var from: [String] = []

    @Option(help: "Replay endpoint for --from (default: the one the source's heartbeat names).")
    var replay: String?

    @Option(help: "Write every envelope received to FILE, one JSON per line (masked as printed).")
    var record: String?

    @Option(help: "Publish the envelopes of a --record FILE into the bus (a test bus), then exit.")
    var play: String?

    @Option(help: "With --play: at most N envelopes per second.")
    var rate: Double?

    @Option(name: .customLong("bus-publish"), help: "Broker endpoint --play publishes to (PASSERELLE_BUS_PUBLISH).")
    var busPublish: String?

    @Flag(help: "Show names, phones and e-mails unmasked (only on a bus without keys; with keys the ACL decides).")
    var unmask = false

    @Flag(name: .customLong("no-color"), help: "Never colour the output (also NO_COLOR).")
    var noColor = false

    @Option(name: .customLong("bus-subscribe"), help: "Broker endpoint to subscribe at (PASSERELLE_BUS_SUBSCRIBE).")
    var busSubscribe: String?

    @Option(help: "YAML configuration file (also PASSERELLE_CONFIG).")
    var config: String?

    @Option(name: .customLong("keys-dir"), help: "Keys folder; set, the tap connects with CURVE (PASSERELLE_KEYS_DIR).")
    var keysDir: String?

    @Option(
        help: "Key identity to read as (PASSERELLE_SOURCE; default bus-tap, which never sees contact.).")
    var identity: String?

    @Flag(help: "Connect beyond loopback without keys (PASSERELLE_INSECURE).")
    var insecure = false

    func validate() throws {
        if let count, count < 1 { throw ValidationError("--count must be at least 1, got \(count)") }
        if let timeout, !(timeout > 0) { throw ValidationError("--timeout must be a positive number of seconds") }
        if !(statsInterval > 0) { throw ValidationError("--stats-interval must be a positive number of seconds") }
        if let rate, !(rate > 0) { throw ValidationError("--rate must be a positive number per second, got \(rate)") }
        if rate != nil, play == nil { throw ValidationError("--rate goes with --play FILE") }
        for text in from where HistoryStart(text) == nil {
            throw ValidationError("--from must read SOURCE/STREAM:SEQ (e.g. offer-registry/offer:1), got '\(text)'")
        }
        for start in from.compactMap(HistoryStart.init)
        where !prefixes.isEmpty
            && !prefixes.contains(where: { $0.hasPrefix(start.stream + ".") || (start.stream + ".").hasPrefix($0) })
        {
            throw ValidationError("--from \(start): stream \(start.stream) is not among the PREFIX arguments")
        }
        if stats, json { throw ValidationError("--stats prints counts, not envelopes: leave out --json") }
        if replay != nil, from.isEmpty { throw ValidationError("--replay goes with --from SOURCE/STREAM:SEQ") }
        if play != nil, !(from.isEmpty && record == nil && !stats && !json && count == nil && prefixes.isEmpty) {
            throw ValidationError("--play publishes a file and exits: it takes --rate and --bus-publish only")
        }
    }

    func run() async throws {
        var flags: [String: String] = [:]
        flags["bus.subscribe"] = busSubscribe
        flags["bus.publish"] = busPublish
        flags["keysDir"] = keysDir
        flags["source"] = identity
        if insecure { flags["insecure"] = "true" }
        let settings: ServiceSettings
        do {
            settings = try await ServiceSettings.load(Self.identity, flags: flags, configFile: config)
        } catch {
            throw ValidationError(error.description)
        }
        if let play {
            try await publish(file: play, settings: settings)
            return
        }
        let mask = try personalDataMask(settings)
        let follower = try await historyFollower(settings)
        let recorder: TapRecorder?
        do {
            recorder = try record.map { path throws(TapFileError) in try TapRecorder(path: path) }
        } catch {
            throw ValidationError(error.description)
        }
        let filters = prefixes.isEmpty ? [""] : prefixes
        // --from also listens to its sources' heartbeats (not shown unless asked for), to fill
        // a tail lost between reading history and the live subscription taking effect.
        let heartbeats = (follower?.sources ?? []).sorted().map { Topic.heartbeat(source: $0) }
            .filter { beat in !filters.contains { beat.hasPrefix($0) } }
        let subscriber = try BusSubscriber(
            connect: [settings.busSubscribe], prefixes: filters + heartbeats,
            options: try settings.brokerClientOptions())
        let colour =
            !noColor && !json && isatty(STDOUT_FILENO) == 1
            && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        let output = Tap.Output(
            printer: TapPrinter(json: json, colour: colour), mask: mask, statsOnly: stats, recorder: recorder,
            prefixes: filters)
        let tap = Tap(subscriber: subscriber, output: output, limit: count, prefixes: filters, follower: follower)
        // Trap the signals before saying we are ready, so that a signal is never the default kill.
        let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        Diagnostics.write(
            "bus-tap: subscribed at \(settings.busSubscribe) to \(prefixes.isEmpty ? "everything" : prefixes.joined(separator: " "))"
        )

        let ending = await withTaskGroup(of: Tap.Ending.self) { group in
            group.addTask { await tap.run() }
            group.addTask {
                for await _ in signals { return .signal }
                return .signal
            }
            if let timeout {
                group.addTask { await tap.idle(longerThan: .milliseconds(Int64(timeout * 1000))) }
            }
            if stats {
                let every = Duration.milliseconds(Int64(statsInterval * 1000))
                let terminal = isatty(STDOUT_FILENO) == 1
                group.addTask {
                    while (try? await Task.sleep(for: every)) != nil {
                        StatsScreen.show(tap.statsInterval(), inPlace: terminal)
                    }
                    return .closed
                }
            }
            let first = await group.next() ?? .closed
            group.cancelAll()
            return first
        }
        await subscriber.close()
        await follower?.close()
        recorder?.close()
        if stats { StatsScreen.show(tap.statsTotal(), inPlace: false) }
        // However the tap ended, say which streams were not clean (nothing when all were).
        for line in tap.summary { Diagnostics.write(line) }
        if case .failed(let error) = ending {
            Diagnostics.write("bus-tap: \(error)")
            throw ExitCode(2)
        }
        if ending == .idle, let count, tap.printed < count {
            Diagnostics.write("bus-tap: idle for \(timeout ?? 0) s after \(tap.printed) of \(count) messages")
            throw ExitCode(1)
        }
    }
}

/// Standard error, for reports that must not mix with the printed messages.
enum Diagnostics {
    static func write(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
