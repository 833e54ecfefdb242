import Foundation
import GRDB
import Testing

@Suite("bus-tap --from: history from a replay endpoint, then live, as built binaries", .timeLimit(.minutes(3)))
struct TapHistoryTests {
    @Test("--from found through the source's heartbeat: every seq once, in order, across the seam")
    func historyThenLive() async throws {
        let broker = try RestartableBroker()
        let brokerProcess = try await broker.start()
        // 1,000 events in 200 transactions 20 ms apart: the tap joins while they are published.
        let (publisher, _) = try await startFixture(
            "fixture-publisher", broker: broker, dataDirectory: scratchDirectory("from"),
            ["--events", "1000", "--batch", "5", "--pause-ms", "20", "--delivery-heartbeat-ms", "100"])
        let tap = try await startTap(
            broker.subscribers, ["--json", "--from", "fixture-publisher/e2e:1", "--count", "1000", "e2e."])
        #expect(try await tap.waitForExit(timeout: .seconds(60)) == .exited(0), "\(tap.stderr.suffix(2_000))")
        #expect(Self.seqs(tap.stdout) == Array(1...1000), "each seq once, in order: \(tap.stderr.suffix(500))")
        #expect(!tap.stderr.contains("gap in") && !tap.stderr.contains("duplicate in"), "\(tap.stderr)")
        // Both halves were used: some history, and live messages after it.
        let history = try #require(Int(try await tap.waitForStderr(#"bus-tap: (\d+) messages of history"#)))
        #expect(history > 0 && history < 1000, "history \(history) of 1000: the seam was not crossed")
        #expect(publisher.isRunning && brokerProcess.isRunning)
    }

    @Test("--from SEQ with --replay ENDPOINT starts at SEQ; an endpoint that never answers fails the tap, naming it")
    func explicitReplayEndpoint() async throws {
        let broker = try RestartableBroker()
        let brokerProcess = try await broker.start()
        let watcher = try await startTap(broker.subscribers, ["--json", "--count", "1", "heartbeat.fixture-publisher"])
        let (publisher, _) = try await startFixture(
            "fixture-publisher", broker: broker, dataDirectory: scratchDirectory("from"),
            ["--events", "40", "--delivery-heartbeat-ms", "100"])
        #expect(try await watcher.waitForExit(timeout: .seconds(30)) == .exited(0))
        let endpoint = try #require(
            (try JSONSerialization.jsonObject(with: Data(watcher.stdout.utf8)) as? [String: Any])
                .flatMap { $0["payload"] as? [String: Any] }?["replay"] as? String)
        let tap = try await startTap(
            broker.subscribers,
            ["--json", "--from", "fixture-publisher/e2e:25", "--replay", endpoint, "--count", "16", "e2e."])
        #expect(try await tap.waitForExit(timeout: .seconds(30)) == .exited(0), "\(tap.stderr)")
        #expect(Self.seqs(tap.stdout) == Array(25...40))
        // A replay endpoint that does not answer: the tap says which, and fails.
        let silent = try RefusingPort()
        let failing = try await startTap(
            broker.subscribers,
            ["--from", "fixture-publisher/e2e:1", "--replay", "tcp://127.0.0.1:\(silent.port)", "e2e."])
        #expect(try await failing.waitForExit(timeout: .seconds(30)) == .exited(2))
        #expect(failing.stderr.contains("no answer for stream e2e from seq 1"), "\(failing.stderr)")
        #expect(publisher.isRunning && brokerProcess.isRunning)
    }

    @Test("--from over a compacted history: seqs gone on purpose are passed over, not reported as gaps")
    func compactedHistory() async throws {
        let broker = try RestartableBroker()
        let brokerProcess = try await broker.start()
        let data = scratchDirectory("from-compacted")
        let workload = [
            "--workload", "candidates", "--events", "2000", "--batch", "200", "--delivery-heartbeat-ms", "100",
        ]
        var publisher = try await startFixture("fixture-publisher", broker: broker, dataDirectory: data, workload)
        _ = try await publisher.process.waitForStderr("emitted 2000", timeout: .seconds(60))
        publisher.process.signal(SIGTERM)
        try #require(try await publisher.process.waitForExit(timeout: .seconds(10)) == .exited(0))
        publisher = try await startFixture(
            "fixture-publisher", broker: broker, dataDirectory: data, workload + ["--delivery-compact-after-days", "0"])
        _ = try await publisher.process.waitForStderr("outbox history maintained")
        let outbox = PublisherOutbox(dataDirectory: data)
        let held = try outbox.read { db in
            try Int.fetchAll(db, sql: "SELECT seq FROM outbox WHERE stream = 'candidate' ORDER BY seq")
        }
        let latest = try #require(try outbox.latest()["candidate"])
        try #require(held.count < Int(latest), "compaction left \(held.count) of \(latest): nothing to pass over")

        let tap = try await startTap(
            broker.subscribers,
            ["--json", "--from", "fixture-publisher/candidate:1", "--count", "\(held.count)", "candidate."])
        #expect(try await tap.waitForExit(timeout: .seconds(60)) == .exited(0), "\(tap.stderr.suffix(2_000))")
        #expect(Self.seqs(tap.stdout) == held, "what the outbox holds, in order")
        #expect(!tap.stderr.contains("gap in") && !tap.stderr.contains("duplicate in"), "\(tap.stderr.suffix(2_000))")
        #expect(publisher.process.isRunning && brokerProcess.isRunning)
    }

    @Test(
        "with keys, --from contact. is refused by the replay endpoint to a tap without the right; shown to one with it")
    func contactHistoryNeedsTheRight() async throws {
        let secure = TestSecurity.forced
        let broker = try await RunningBroker.start(environment: secure)
        let publisher = try SpawnedProcess(
            "fixture-publisher",
            [
                "--bus-publish", broker.publishers, "--bus-subscribe", broker.subscribers, "--data-dir",
                scratchDirectory("from-contact"), "--http", "127.0.0.1:0", "--workload", "candidates", "--events",
                "200", "--delivery-heartbeat-ms", "100",
            ], environment: secure)
        _ = try await publisher.waitForStderr("emitted 200", timeout: .seconds(60))
        let arguments = ["--json", "--from", "fixture-publisher/contact:1", "--count", "1", "contact."]
        let refused = try await startTap(broker.subscribers, arguments, environment: secure)
        #expect(try await refused.waitForExit(timeout: .seconds(30)) == .exited(2))
        #expect(refused.stderr.contains("replay tcp://") && refused.stderr.contains(" refused: "), "\(refused.stderr)")
        #expect(refused.stdout.isEmpty)
        let allowed = try await startTap(
            broker.subscribers, arguments + ["--identity", "bus-tap-contact"], environment: secure)
        #expect(try await allowed.waitForExit(timeout: .seconds(30)) == .exited(0), "\(allowed.stderr)")
        // Its right to contact. shows the details as the publisher sent them (an e-mail or a phone).
        #expect(allowed.stdout.contains(#""type":"contact."#) && !allowed.stdout.contains("***"), "\(allowed.stdout)")
        #expect(publisher.isRunning && broker.process.isRunning)
    }

    /// The seqs of the `--json` lines, in order.
    static func seqs(_ stdout: String) -> [Int] {
        stdout.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["seq"] as? Int
        }
    }
}
