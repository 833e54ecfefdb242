import Bus
import Foundation
import Messages
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

@Suite("bus-broker and bus-tap, as built binaries on ports chosen at random", .timeLimit(.minutes(3)))
struct BrokerAndTapTests {
    @Test("10,000 envelopes published through Bus reach bus-tap --json complete and in order")
    func tenThousandInOrder() async throws {
        let broker = try await RunningBroker.start()
        let tap = try await startTap(broker.subscribers, ["--json", "--count", "10000"])
        let publisher = try BusPublisher(
            connect: [broker.publishers], options: try TestSecurity.brokerOptions("e2e-publisher"))
        try await publisher.waitForSubscriber(covering: "e2e.sequence", timeout: .seconds(30))

        var sent: [String] = []
        for seq in 1...10_000 {
            let envelope = Envelope(
                source: "e2e-publisher", seq: Int64(seq),
                event: .unknown(topic: "e2e.sequence", payload: .object(["n": .int(Int64(seq))])))
            let bytes = envelope.encoded()
            sent.append(String(decoding: bytes, as: UTF8.self))
            try await publisher.publish(topic: envelope.type, envelope: bytes)
        }
        try await publisher.flush()

        let status = try await tap.waitForExit(timeout: .seconds(120))
        #expect(status == .exited(0), "bus-tap stderr: \(tap.stderr.suffix(500))")
        let lines = tap.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == 10_000)
        #expect(lines.map(String.init) == sent, "every envelope, byte for byte, in order")

        // The broker counted them, and says so on /metrics.
        let metrics = try await httpGet("http://\(broker.http)/metrics")
        #expect(metrics.contains(#"bus_broker_messages_total{direction="publish"} 10000"#))
        await publisher.close()
    }

    @Test("a message sent with plain libzmq calls is printed by bus-tap, exactly as sent")
    func plainLibzmqPublisher() async throws {
        let broker = try await RunningBroker.start()
        let tap = try await startTap(broker.subscribers, ["--json", "--count", "1"])
        let raw = RawPublisher(connect: broker.publishers, identity: "python-client")
        #expect(await raw.waitForSubscription())
        // Hand-written, as a client in another language would write it: no Swift encoder.
        let envelope =
            #"{"v":1,"id":"3f2b8c1e-8a47-4c1e-9d2a-6b1f0e5d7c90","type":"offer.published","source":"python-client","seq":1,"time":"2026-11-28T10:00:00.000Z","payload":{"id":"o-1","extra":"ignored by old readers"}}"#
        #expect(await raw.send([Array("offer.published".utf8), Array(envelope.utf8)]))
        #expect(try await tap.waitForExit(timeout: .seconds(30)) == .exited(0))
        #expect(tap.stdout == envelope + "\n")
        await raw.close()
    }

    @Test("bad input through the broker: dropped or reported, and the next good message still arrives")
    func badInputThroughBroker() async throws {
        let broker = try await RunningBroker.start()
        let tap = try await startTap(broker.subscribers, ["--count", "1"])
        let raw = RawPublisher(connect: broker.publishers)
        #expect(await raw.waitForSubscription())
        let good = Envelope(
            source: "e2e", seq: 1, event: .unknown(topic: "e2e.good", payload: .object(["ok": .bool(true)])))
        let garbage: [[[UInt8]]] = [
            [Array("offer.published".utf8), Array("this is not JSON".utf8)],  // reaches the tap: reported
            [Array("offer.published".utf8)],  // one frame: the broker drops it
            [Array("offer.big".utf8), [UInt8](repeating: 0x7B, count: 10 * 1024 * 1024)],  // 10 MB: dropped
            [[], Array("{}".utf8)],  // empty topic: dropped
            [[0xC3, 0x28, 0x2E, 0x61], Array("{}".utf8)],  // invalid UTF-8 topic: dropped
            [Array("offer.published".utf8), Array(#"{"v":1}"#.utf8)],  // JSON, but no envelope: reported
        ]
        for frames in garbage { #expect(await raw.send(frames)) }
        #expect(await raw.send([Array(good.type.utf8), good.encoded()]))

        #expect(try await tap.waitForExit(timeout: .seconds(30)) == .exited(0))
        #expect(tap.stdout.contains("e2e.good e2e#1 {\"ok\":true}"))
        #expect(tap.stdout.split(separator: "\n").count == 1)
        let reports = tap.stderr.split(separator: "\n").filter { $0.contains("skipped a malformed message") }
        let metrics = try await httpGet("http://\(broker.http)/metrics")
        if TestSecurity.isOn {
            // With security the broker reads each envelope's source: what is not JSON, or names
            // no source, never leaves it (and e2e may not publish offer. anyway).
            #expect(reports.isEmpty, "stderr: \(tap.stderr)")
            #expect(
                metrics.contains(#"bus_broker_refused_total{identity="e2e",reason="topic-not-allowed"} 2"#)
                    || metrics.contains(#"bus_broker_refused_total{identity="e2e",reason="malformed-envelope"} 2"#)
                    || metrics.contains(#"reason="forged-source"} 1"#), "\(metrics)")
        } else {
            #expect(reports.count == 2, "stderr: \(tap.stderr)")
            #expect(reports.first?.contains("not JSON") == true || reports.first?.contains("JSON") == true)
            #expect(reports.last?.contains("id") == true, "the report names the missing field")
        }

        // The broker is still up, counted the drops, and forwards the next message.
        #expect(broker.process.isRunning)
        #expect(metrics.contains(#"bus_broker_dropped_total{reason="malformed"} 3"#), "\(metrics)")
        #expect(metrics.contains(#"bus_broker_dropped_total{reason="oversize"} 1"#))
        let second = try await startTap(broker.subscribers, ["--count", "1"])
        // Its subscription reaches the broker a moment after it says it is ready, and no
        // signal of that comes back to the publisher (which is subscribed already): resend
        // until it arrives, boundedly.
        let deadline = ContinuousClock.now + .seconds(30)
        while second.isRunning, ContinuousClock.now < deadline {
            #expect(await raw.send([Array(good.type.utf8), good.encoded()]))
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(try await second.waitForExit(timeout: .seconds(5)) == .exited(0))
        #expect(second.stdout.contains("e2e.good"))
        await raw.close()
    }

    @Test("bus-tap straight on a publisher reports every framing error and keeps going")
    func tapReportsFramingErrors() async throws {
        let publisher = try BusSocket(type: .xpub, bind: ["tcp://127.0.0.1:*"])
        let endpoint = try #require(publisher.boundEndpoints.first)
        // Straight on a plain socket: no broker, so no keys either.
        let tap = try await startTap(endpoint, ["--count", "1"], environment: ["PASSERELLE_KEYS_DIR": ""])
        _ = try await publisher.receive()  // the tap's subscription
        try await publisher.send([Array("offer.published".utf8)])
        try await publisher.send([[], Array("{}".utf8)])
        try await publisher.send([[0xFF], Array("{}".utf8)])
        try await publisher.send([Array("Offer Published".utf8), Array("{}".utf8)])
        let good = Envelope(source: "e2e", seq: 7, event: .unknown(topic: "e2e.good", payload: .null))
        try await publisher.send([Array(good.type.utf8), good.encoded()])
        #expect(try await tap.waitForExit(timeout: .seconds(30)) == .exited(0))
        #expect(tap.stdout.contains("e2e.good e2e#7"))
        let stderr = tap.stderr
        #expect(stderr.contains("expected 2 frames (topic, envelope), got 1"))
        #expect(stderr.contains("empty topic frame"))
        #expect(stderr.contains("not valid UTF-8"))
        #expect(stderr.contains("Offer Published"))
        await publisher.close()
    }

    @Test(
        "SIGTERM and SIGINT end bus-broker and bus-tap with status 0 within 2 s",
        arguments: ["bus-broker", "bus-tap"], [SIGTERM, SIGINT])
    func signalIsClean(executable: String, signal: Int32) async throws {
        let broker = try await RunningBroker.start()
        let process: SpawnedProcess
        if executable == "bus-broker" {
            process = broker.process
        } else {
            process = try await startTap(broker.subscribers, [])
        }
        process.signal(signal)
        let status = try await process.waitForExit(timeout: .seconds(2))
        #expect(status == .exited(0), "\(executable) after signal \(signal); stderr: \(process.stderr.suffix(500))")
    }

    @Test("bus-tap --timeout exits 1 when the count was not reached, 0 when no count was asked")
    func idleTimeout() async throws {
        let broker = try await RunningBroker.start()
        let counted = try await startTap(broker.subscribers, ["--count", "5", "--timeout", "0.3"])
        let open = try await startTap(broker.subscribers, ["--timeout", "0.3"])
        #expect(try await counted.waitForExit(timeout: .seconds(10)) == .exited(1))
        #expect(counted.stderr.contains("after 0 of 5 messages"))
        #expect(try await open.waitForExit(timeout: .seconds(10)) == .exited(0))
    }

    @Test("bus-tap refuses bad options with a message that names them")
    func badOptions() async throws {
        let tap = try SpawnedProcess("bus-tap", ["--count", "0"])
        #expect(try await tap.waitForExit(timeout: .seconds(10)) == .exited(64))
        #expect(tap.stderr.contains("--count must be at least 1"))
        let bad = try SpawnedProcess("bus-tap", ["--bus-subscribe", "localhost:7101", "--timeout", "1"])
        #expect(try await bad.waitForExit(timeout: .seconds(10)) == .exited(64))
        #expect(bad.stderr.contains("bus.subscribe"))
    }
}

/// GET over real HTTP; the body as text.
func httpGet(_ url: String) async throws -> String {
    let (data, _) = try await URLSession.shared.data(from: URL(string: url)!)
    return String(decoding: data, as: UTF8.self)
}
