import Foundation
import ServiceTesting
import Testing

@Suite("bus-tap --stats and latency, as built binaries", .timeLimit(.minutes(3)))
struct TapStatsTests {
    typealias Sent = TapGapTests.Sent

    @Test("every readable line ends with the latency from the envelope's time to its reception")
    func latencyPerLine() async throws {
        let (broker, taps, raw) = try await TapGapTests.busWithTaps([["--count", "2"]], subscriptions: 1)
        // Sent 1.5 s after its time: the tap must say at least +1500ms, and not days.
        #expect(await raw.send(Sent("e2e.step", seq: 1, time: Date().addingTimeInterval(-1.5))))
        #expect(await raw.send(Sent("e2e.step", seq: 2, time: Date().addingTimeInterval(-1.5))))
        #expect(try await taps[0].waitForExit(timeout: .seconds(30)) == .exited(0), "\(taps[0].stderr)")
        let lines = taps[0].stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        for line in lines {
            let latency = line.split(separator: " ").last.flatMap { Self.milliseconds(String($0)) }
            #expect(latency.map { $0 >= 1_500 && $0 < 60_000 } == true, "line: \(line)")
        }
        #expect(broker.process.isRunning, "the broker outlives the tap")
        await raw.close()
    }

    @Test("--stats prints blocks per interval and a final one: rates per topic and source, p50/p99, gaps, duplicates")
    func statsBlocks() async throws {
        let (broker, taps, raw) = try await TapGapTests.busWithTaps(
            [["--stats", "--stats-interval", "0.2", "--count", "8"]], subscriptions: 1)
        let tap = taps[0]
        let past = Date().addingTimeInterval(-0.3)
        // First interval: three of fixture's, then wait for a block that counted them.
        for seq in 1...3 { #expect(await raw.send(Sent("e2e.step", seq: seq, time: past))) }
        _ = try await waitUntil("interval blocks counting fixture's first three", timeout: .seconds(30)) {
            Self.intervalCount(of: "source fixture", in: tap.stdout) == 3 ? true : nil
        }
        // Then a gap (4 missing), a duplicate, and another source on its own numbering.
        let rest = [
            Sent("e2e.step", seq: 5, time: past), Sent("e2e.step", seq: 5, time: past),
            Sent("e2e.other", source: "other", seq: 1, time: past),
            Sent("e2e.other", source: "other", seq: 2, time: past),
            Sent("e2e.other", source: "other", seq: 3, time: past),
        ]
        for message in rest { #expect(await raw.send(message)) }
        #expect(try await tap.waitForExit(timeout: .seconds(30)) == .exited(0), "\(tap.stderr)")

        // No message lines: only blocks, each from a "stats"/"final" line to "end".
        let lines = tap.stdout.split(separator: "\n").map(String.init)
        let heads: Set<String> = ["stats", "final", "topic", "source", "stream", "malformed", "end"]
        #expect(lines.allSatisfy { heads.contains(String($0.prefix { $0 != " " })) }, "\(tap.stdout)")
        let final = Array(lines.drop { !$0.hasPrefix("final ") })
        #expect(final.first?.hasSuffix(" 8 messages") == true, "\(final)")
        #expect(final.contains { $0.hasPrefix("topic e2e.step 5 msg ") })
        #expect(final.contains { $0.hasPrefix("topic e2e.other 3 msg ") })
        #expect(final.contains { $0.hasPrefix("source fixture 5 msg ") })
        #expect(final.contains { $0.hasPrefix("source other 3 msg ") })
        #expect(final.contains("stream fixture/e2e 1 gaps 1 duplicates"))
        #expect(!final.contains { $0.hasPrefix("stream other/") }, "other's numbering is its own: clean")
        #expect(final.last == "end")
        // Latency per topic: messages sent 300 ms after their time.
        for line in final where line.hasPrefix("topic ") {
            let words = line.split(separator: " ").map(String.init)
            let p50 = words.firstIndex(of: "p50").flatMap { Self.milliseconds(words[$0 + 1]) }
            let p99 = words.firstIndex(of: "p99").flatMap { Self.milliseconds(words[$0 + 1]) }
            #expect(p50.map { $0 >= 300 && $0 < 60_000 } == true, "\(line)")
            #expect(p99.map { $0 >= (p50 ?? 0) } == true, "\(line)")
        }
        // Interval blocks counted fixture's messages at a rate, and add up to the final block.
        #expect(lines.contains { $0.hasPrefix("source fixture ") && $0.hasSuffix("/s") })
        #expect(Self.intervalCount(of: "source fixture", in: tap.stdout) <= 5)
        // Gaps and duplicates are reported on stderr too.
        #expect(tap.stderr.contains("bus-tap: gap in fixture/e2e: seq 4–4 missing (1)"))
        #expect(tap.stderr.contains("bus-tap: duplicate in fixture/e2e: seq 5 (last seen 5)"))
        #expect(broker.process.isRunning, "the broker outlives the tap")
        await raw.close()
    }

    @Test("on a terminal each --stats block replaces the last one; the final block stays")
    func statsInPlaceOnTerminal() async throws {
        let broker = try await RunningBroker.start()
        // script(1) gives the tap a terminal, as an operator's would be.
        let command =
            [SpawnedProcess.binDirectory.appendingPathComponent("bus-tap").path]
            + ["--bus-subscribe", broker.subscribers, "--stats", "--stats-interval", "0.2", "--timeout", "1"]
        let tap = try SpawnedProcess(
            executable: URL(fileURLWithPath: "/usr/bin/script"), name: "script",
            ["-qec", command.joined(separator: " "), "/dev/null"])
        #expect(try await tap.waitForExit(timeout: .seconds(30)) == .exited(0), "\(tap.stdout)")
        let clear = "\u{1B}[H\u{1B}[2J"
        let blocks = tap.stdout.components(separatedBy: clear).dropFirst()
        #expect(blocks.count >= 2, "one screen per interval: \(tap.stdout.debugDescription)")
        #expect(blocks.allSatisfy { $0.hasPrefix("stats ") })
        #expect(blocks.last?.contains("final ") == true, "the final block after the last screen")
        #expect(broker.process.isRunning)
    }

    @Test("bad arguments name the option")
    func badArguments() async throws {
        for (arguments, option) in [
            (["--stats-interval", "0"], "--stats-interval"), (["--rate", "5"], "--rate"),
            (["--from", "offer-registry:1"], "--from"), (["--replay", "tcp://127.0.0.1:1"], "--replay"),
            (["--play", "x.jsonl", "--json"], "--play"), (["--stats", "--json"], "--stats"),
            (["--from", "fixture/e2e:1", "offer."], "--from fixture/e2e:1"), (["--from", "fixture/e2e:0"], "--from"),
            (["--record", "/nonexistent/folder/bus.jsonl"], "--record: cannot write"),
            (["--play", "f", "e2e."], "--play"),
        ] {
            let tap = try SpawnedProcess("bus-tap", arguments)
            #expect(try await tap.waitForExit(timeout: .seconds(30)) != .exited(0))
            #expect(tap.stderr.contains(option), "\(arguments): \(tap.stderr)")
        }
    }

    /// The sum of `label N msg` over the interval blocks (not the final one).
    static func intervalCount(of label: String, in stdout: String) -> Int {
        stdout.split(separator: "\n").prefix { !$0.hasPrefix("final ") }.filter { $0.hasPrefix(label + " ") }
            .compactMap { Int($0.dropFirst(label.count + 1).prefix { $0 != " " }) }.reduce(0, +)
    }

    /// `+1234ms` or `+3s` in milliseconds.
    static func milliseconds(_ text: String) -> Int? {
        if text.hasSuffix("ms") { return Int(text.dropLast(2)) }
        if text.hasSuffix("s") { return Int(text.dropLast()).map { $0 * 1000 } }
        return nil
    }
}
