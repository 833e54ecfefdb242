import Foundation
import Testing

@Suite("bus-tap shows gaps and duplicates per source and stream, as built binaries", .timeLimit(.minutes(3)))
struct TapGapTests {
    /// One message as a client in another language would write it: topic and JSON by hand.
    struct Sent {
        let topic: String
        let envelope: String

        let source: String

        /// `time`, when given, is the envelope's (else a fixed day, the seq as milliseconds).
        init(_ topic: String, source: String = "fixture", seq: Int, payload: String? = nil, time: Date? = nil) {
            self.topic = topic
            self.source = source
            let id = UUID().uuidString.lowercased()
            let millis = String(format: "%03d", seq % 1000)
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            let written = time.map { formatter.string(from: $0) } ?? "2026-11-28T10:00:00.\(millis)Z"
            envelope =
                #"{"v":1,"id":"\#(id)","type":"\#(topic)","source":"\#(source)","seq":\#(seq),"#
                + #""time":"\#(written)","payload":\#(payload ?? #"{"n":\#(seq)}"#)}"#
        }

        /// A heartbeat: not stored, so not numbered (seq 0).
        static func heartbeat(source: String = "fixture") -> Sent {
            Sent(
                "heartbeat.\(source)", source: source, seq: 0,
                payload: #"{"source":"\#(source)","streams":{"e2e":6},"replay":"tcp://127.0.0.1:7199"}"#)
        }
    }

    @Test("a gap, a duplicate and a late message are reported; heartbeats are not; --json stays as received")
    func gapsAndDuplicates() async throws {
        let messages = [
            Sent("e2e.step", seq: 1), Sent("e2e.step", seq: 2), Sent("e2e.step", seq: 3), Sent.heartbeat(),
            Sent("e2e.step", seq: 5), Sent("e2e.step", seq: 6), Sent("e2e.step", seq: 6),
            Sent("e2e.step", seq: 4), Sent.heartbeat(), Sent("e2e.step", seq: 7),
        ]
        // Two taps on the same bus: the JSON one subscribes to everything (""), the readable
        // one to two prefixes, so the publisher can wait for three distinct subscriptions.
        let (broker, taps, raw) = try await Self.busWithTaps(
            [["--json", "--count", "10"], ["--count", "10", "e2e.", "heartbeat."]], subscriptions: 3)
        for message in messages { #expect(await raw.send(message)) }
        let json = taps[0]
        let readable = taps[1]
        #expect(try await json.waitForExit(timeout: .seconds(30)) == .exited(0), "stderr: \(json.stderr)")
        #expect(try await readable.waitForExit(timeout: .seconds(30)) == .exited(0), "stderr: \(readable.stderr)")

        let expected = [
            "bus-tap: gap in fixture/e2e: seq 4–4 missing (1)",
            "bus-tap: duplicate in fixture/e2e: seq 6 (last seen 6)",
            "bus-tap: duplicate in fixture/e2e: seq 4 (last seen 6)",
            "bus-tap: fixture/e2e: last seq 7, 1 gap (1 message missing), 2 duplicates",
        ]
        #expect(Self.reports(json) == expected, "stderr: \(json.stderr)")
        #expect(Self.reports(readable) == expected, "stderr: \(readable.stderr)")
        #expect(json.stdout == messages.map { $0.envelope + "\n" }.joined(), "byte for byte, no marks")

        let lines = readable.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 10)
        #expect(lines.filter { $0.contains("[gap]") }.map { $0.contains("fixture#5 [gap]") } == [true])
        #expect(lines.filter { $0.contains("[dup]") }.count == 2)
        #expect(lines[6].contains("fixture#6 [dup]") && lines[7].contains("fixture#4 [dup]"))
        // Two heartbeats, both seq 0: neither is a duplicate, nor marked.
        #expect(
            lines[3].contains("heartbeat.fixture fixture#0 {") && lines[8].contains("heartbeat.fixture fixture#0 {"))
        #expect(broker.process.isRunning, "the broker outlives the taps")
        await raw.close()
    }

    @Test("a tap that starts mid-stream takes the first seq as a baseline: no gap, no summary")
    func startsMidStream() async throws {
        let (broker, taps, raw) = try await Self.busWithTaps([["--count", "5"]], subscriptions: 1)
        // Two sources, interleaved: each is followed on its own.
        let messages = [
            Sent("e2e.step", seq: 42), Sent("e2e.step", source: "other", seq: 7), Sent("e2e.step", seq: 43),
            Sent("e2e.step", source: "other", seq: 8), Sent("e2e.step", seq: 44),
        ]
        for message in messages { #expect(await raw.send(message)) }
        #expect(try await taps[0].waitForExit(timeout: .seconds(30)) == .exited(0))
        #expect(Self.reports(taps[0]) == [], "stderr: \(taps[0].stderr)")
        #expect(!taps[0].stdout.contains("[gap]") && !taps[0].stdout.contains("[dup]"))
        #expect(broker.process.isRunning, "the broker outlives the taps")
        await raw.close()
    }

    @Test("numbering that starts over at 1 is a duplicate that suggests a restarted publisher")
    func publisherRestarted() async throws {
        let (broker, taps, raw) = try await Self.busWithTaps([["--count", "3"]], subscriptions: 1)
        for message in [Sent("e2e.step", seq: 42), Sent("e2e.step", seq: 43), Sent("e2e.step", seq: 1)] {
            #expect(await raw.send(message))
        }
        #expect(try await taps[0].waitForExit(timeout: .seconds(30)) == .exited(0))
        #expect(
            Self.reports(taps[0]) == [
                "bus-tap: duplicate in fixture/e2e: seq 1 (last seen 43), publisher restarted?",
                "bus-tap: fixture/e2e: last seq 43, 0 gaps (0 messages missing), 1 duplicate",
            ], "stderr: \(taps[0].stderr)")
        #expect(broker.process.isRunning, "the broker outlives the taps")
        await raw.close()
    }

    @Test("with a sub-topic prefix the other topics of the stream are not gaps; duplicates still are")
    func subTopicPrefix() async throws {
        let (broker, taps, raw) = try await Self.busWithTaps([["--count", "3", "e2e.one"]], subscriptions: 1)
        let messages = [
            Sent("e2e.one", seq: 1), Sent("e2e.two", seq: 2), Sent("e2e.one", seq: 3), Sent("e2e.one", seq: 3),
        ]
        for message in messages { #expect(await raw.send(message)) }
        #expect(try await taps[0].waitForExit(timeout: .seconds(30)) == .exited(0))
        #expect(
            Self.reports(taps[0]) == [
                "bus-tap: duplicate in fixture/e2e: seq 3 (last seen 3)",
                "bus-tap: fixture/e2e: last seq 3, 0 gaps (0 messages missing), 1 duplicate",
            ], "stderr: \(taps[0].stderr)")
        #expect(broker.process.isRunning, "the broker outlives the taps")
        await raw.close()
    }

    /// Starts a broker, one bus-tap per argument list, and a plain-libzmq publisher that has
    /// seen `subscriptions` distinct subscriptions arrive, so that nothing it sends is lost
    /// to ZeroMQ's slow joiner (the broker forwards each distinct prefix once).
    static func busWithTaps(
        _ taps: [[String]], subscriptions: Int
    ) async throws -> (
        RunningBroker, [SpawnedProcess], SourcePublishers
    ) {
        let broker = try await RunningBroker.start()
        var started: [SpawnedProcess] = []
        for arguments in taps { started.append(try await startTap(broker.subscribers, arguments)) }
        let raw = SourcePublishers(connect: broker.publishers)
        try #require(await raw.waitForSubscriptions(subscriptions))
        return (broker, started, raw)
    }

    /// One plain-libzmq publisher per source with security on (a source is its sender's
    /// key), one for all without.
    final class SourcePublishers: Sendable {
        let publishers: [String: RawPublisher]

        init(connect endpoint: String) {
            if TestSecurity.isOn {
                publishers = Dictionary(
                    uniqueKeysWithValues: ["fixture", "other"].map {
                        ($0, RawPublisher(connect: endpoint, identity: $0))
                    })
            } else {
                publishers = ["": RawPublisher(connect: endpoint)]
            }
        }

        func waitForSubscriptions(_ count: Int) async -> Bool {
            for publisher in publishers.values {
                for _ in 0..<count where !(await publisher.waitForSubscription()) { return false }
            }
            return true
        }

        func send(_ message: Sent) async -> Bool {
            guard let publisher = publishers[message.source] ?? publishers[""] else { return false }
            return await publisher.send([Array(message.topic.utf8), Array(message.envelope.utf8)])
        }

        func close() async {
            for publisher in publishers.values { await publisher.close() }
        }
    }

    /// What the tap said on standard error after it was ready.
    static func reports(_ tap: SpawnedProcess) -> [String] {
        tap.stderr.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("bus-tap: subscribed") }
    }
}
