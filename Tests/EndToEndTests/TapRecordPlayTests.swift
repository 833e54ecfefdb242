import Foundation
import Testing

@Suite("bus-tap --record and --play, as built binaries on two brokers", .timeLimit(.minutes(3)))
struct TapRecordPlayTests {
    typealias Sent = TapGapTests.Sent

    /// With keys, --play must publish as the envelopes' source: the broker drops a forged one.
    static let player = TestSecurity.isOn ? ["--identity", "fixture"] : []

    @Test("recorded on one bus, played into another at --rate: the same envelopes, byte for byte, in order")
    func recordThenPlay() async throws {
        let file = scratchDirectory("record") + "/bus.jsonl"
        let messages = (1...10).map { Sent(["e2e.one", "e2e.two"][$0 % 2], seq: $0) }
        let (first, recorders, raw) = try await TapGapTests.busWithTaps(
            [["--json", "--count", "10", "--record", file]], subscriptions: 1)
        for message in messages { #expect(await raw.send(message)) }
        #expect(try await recorders[0].waitForExit(timeout: .seconds(30)) == .exited(0), "\(recorders[0].stderr)")
        let sent = messages.map { $0.envelope + "\n" }.joined()
        #expect(try String(contentsOfFile: file, encoding: .utf8) == sent, "the file holds what was received")

        let second = try await RunningBroker.start()
        let reader = try await startTap(second.subscribers, ["--json", "--count", "10"])
        let started = ContinuousClock.now
        let play = try SpawnedProcess(
            "bus-tap", ["--play", file, "--bus-publish", second.publishers, "--rate", "20"] + Self.player)
        #expect(try await play.waitForExit(timeout: .seconds(30)) == .exited(0), "\(play.stderr)")
        // Ten envelopes at most 20 a second: nine spacings of 50 ms at least.
        #expect(ContinuousClock.now - started >= .milliseconds(450))
        #expect(play.stderr.contains("published 10 envelopes"))
        #expect(try await reader.waitForExit(timeout: .seconds(30)) == .exited(0), "\(reader.stderr)")
        #expect(reader.stdout == sent, "byte for byte, in order")
        #expect(first.process.isRunning && second.process.isRunning)
        await raw.close()
    }

    @Test("a file with a malformed line is refused, naming the line, and nothing is published")
    func malformedFileRefused() async throws {
        let folder = scratchDirectory("play")
        let good = Sent("e2e.one", seq: 1).envelope
        let cases: [(lines: String, line: Int)] = [
            (good + "\n" + #"{"v":1,"type":"e2e.one"}"# + "\n" + good + "\n", 2),
            (good + "\nnot json at all\n", 2),
            ("\n" + good + "\n", 1),
            (good + "\n" + Sent("e2e.one", seq: 2).envelope.replacingOccurrences(of: "\"v\":1", with: "\"v\":2"), 2),
        ]
        let broker = try await RunningBroker.start()
        let reader = try await startTap(broker.subscribers, ["--json", "--count", "1"])
        for (index, bad) in cases.enumerated() {
            let file = "\(folder)/bad-\(index).jsonl"
            try bad.lines.write(toFile: file, atomically: true, encoding: .utf8)
            let play = try SpawnedProcess(
                "bus-tap", ["--play", file, "--bus-publish", broker.publishers] + Self.player)
            #expect(try await play.waitForExit(timeout: .seconds(30)) == .exited(2))
            #expect(play.stderr.contains("\(file) line \(bad.line) is not an envelope"), "\(play.stderr)")
            #expect(play.stderr.contains("nothing was published"))
        }
        // The first envelope the reader sees is the one played after: none of the refused files leaked.
        let marker = Sent("e2e.one", seq: 99)
        try (marker.envelope + "\n").write(toFile: "\(folder)/good.jsonl", atomically: true, encoding: .utf8)
        let play = try SpawnedProcess(
            "bus-tap", ["--play", "\(folder)/good.jsonl", "--bus-publish", broker.publishers] + Self.player)
        #expect(try await play.waitForExit(timeout: .seconds(30)) == .exited(0), "\(play.stderr)")
        #expect(try await reader.waitForExit(timeout: .seconds(30)) == .exited(0))
        #expect(reader.stdout == marker.envelope + "\n")
        // With keys, envelopes of another source are refused before anything is sent (the
        // broker would drop them as forged), naming the line and the identity to play them as.
        let mixed = "\(folder)/mixed.jsonl"
        try [Sent("e2e.one", seq: 1), Sent("e2e.one", source: "other", seq: 1)].map { $0.envelope + "\n" }.joined()
            .write(toFile: mixed, atomically: true, encoding: .utf8)
        for (identity, line, source) in [("bus-tap", 1, "fixture"), ("fixture", 2, "other")] {
            let forged = try SpawnedProcess(
                "bus-tap", ["--play", mixed, "--bus-publish", broker.publishers, "--identity", identity],
                environment: TestSecurity.forced)
            #expect(try await forged.waitForExit(timeout: .seconds(30)) == .exited(2))
            #expect(
                forged.stderr.contains(
                    "\(mixed) line \(line) cannot be published as \(identity): its source is \(source)"),
                "\(forged.stderr)")
        }
        let missing = try SpawnedProcess("bus-tap", ["--play", "\(folder)/absent.jsonl"])
        #expect(try await missing.waitForExit(timeout: .seconds(30)) == .exited(2))
        #expect(missing.stderr.contains("--play: cannot read \(folder)/absent.jsonl"))
    }
}
