import ArgumentParser
import Bus
import Foundation
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
    }

    func run() async throws {
        var flags: [String: String] = [:]
        flags["bus.subscribe"] = busSubscribe
        flags["keysDir"] = keysDir
        flags["source"] = identity
        if insecure { flags["insecure"] = "true" }
        let settings: ServiceSettings
        do {
            settings = try await ServiceSettings.load(Self.identity, flags: flags, configFile: config)
        } catch {
            throw ValidationError(error.description)
        }
        let filters = prefixes.isEmpty ? [""] : prefixes
        let subscriber = try BusSubscriber(
            connect: [settings.busSubscribe], prefixes: filters, options: try settings.brokerClientOptions())
        let colour =
            !noColor && !json && isatty(STDOUT_FILENO) == 1
            && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        let tap = Tap(
            subscriber: subscriber, printer: TapPrinter(json: json, colour: colour), limit: count,
            prefixes: filters)
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
            let first = await group.next() ?? .closed
            group.cancelAll()
            return first
        }
        await subscriber.close()
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
