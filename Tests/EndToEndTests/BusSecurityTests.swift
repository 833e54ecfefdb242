import Bus
import Foundation
import Messages
import ServiceKit
import ServiceTesting
import Synchronization
import Testing

/// Everything a subscriber receives, collected in the background (topics and envelopes).
final class Collector: Sendable {
    let subscriber: BusSubscriber
    private let seen = Seen()
    private let reader: Task<Void, Never>

    final class Seen: Sendable {
        let messages = Mutex<[BusMessage]>([])
        func withLock<T>(_ body: (inout [BusMessage]) -> T) -> T { messages.withLock { body(&$0) } }
    }

    init(_ subscriber: BusSubscriber) {
        self.subscriber = subscriber
        let seen = self.seen
        reader = Task {
            while let delivery = try? await subscriber.next() {
                if case .message(let message) = delivery { seen.withLock { $0.append(message) } }
            }
        }
    }

    var messages: [BusMessage] { seen.withLock { $0 } }
    func count(_ prefix: String) -> Int { messages.filter { $0.topic.hasPrefix(prefix) }.count }

    /// Waits (bounded) until `condition` holds on what was received.
    func wait(for timeout: Duration = .seconds(20), until condition: ([BusMessage]) -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition(messages) { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return condition(messages)
    }

    func close() async {
        await subscriber.close()
        await reader.value
    }
}

/// A hand-made envelope, as an attacker would write one.
func forged(_ topic: String, source: String, seq: Int, payload: String) -> [[UInt8]] {
    let envelope =
        #"{"v":1,"id":"\#(UUID().uuidString.lowercased())","type":"\#(topic)","source":"\#(source)","seq":\#(seq),"#
        + #""time":"2026-11-30T10:00:00.000Z","payload":\#(payload)}"#
    return [Array(topic.utf8), Array(envelope.utf8)]
}

@Suite("Bus security: CURVE, ZAP and the broker's ACL, as built binaries", .timeLimit(.minutes(3)))
struct BusSecurityTests {
    /// Socket options for a client of `broker` with the key pair `keys`, expecting `serverKey`.
    func options(_ keys: CurveKeyPair, serverKey: String) -> SocketOptions {
        var options = SocketOptions()
        options.curve = .client(keys: keys, serverKey: serverKey)
        return options
    }

    @Test("no key, an unknown key, a revoked key or the wrong broker key: nothing received, nothing published")
    func strangersGetNothing() async throws {
        let folder = try TestSecurity.privateCopy()
        let broker = try await RunningBroker.start(environment: ["PASSERELLE_KEYS_DIR": folder])
        let keysDirectory = KeysDirectory(path: folder)
        let brokerKey = try #require(try keysDirectory.authorizedKeys().keys["bus-broker"])
        let otherKeys = try keysDirectory.keyPair(of: "other")  // read before its revocation
        func listed(_ identity: String) throws -> SocketOptions {
            options(try keysDirectory.keyPair(of: identity), serverKey: brokerKey)
        }
        // A legitimate reader, and a legitimate publisher that keeps talking.
        let reader = Collector(
            try BusSubscriber(connect: [broker.subscribers], prefixes: ["e2e."], options: listed("observer")))
        let publisher = try BusPublisher(connect: [broker.publishers], options: listed("e2e"))
        let talking = Task {
            var seq = 0
            while !Task.isCancelled {
                seq += 1
                let frames = forged("e2e.tick", source: "e2e", seq: seq, payload: #"{"n":\#(seq)}"#)
                try? await publisher.publish(topic: "e2e.tick", envelope: frames[1])
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
        defer { talking.cancel() }

        // "other" is listed: it reads. Then it is revoked, and its next connection gets nothing.
        let before = Collector(
            try BusSubscriber(connect: [broker.subscribers], prefixes: ["e2e."], options: listed("other")))
        #expect(try await before.wait { $0.count >= 3 }, "a listed key reads")
        await before.close()
        let revoke = try SpawnedProcess("passerelle", ["keys", "revoke", "other", "--keys-dir", folder])
        #expect(try await revoke.waitForExit(timeout: .seconds(20)) == .exited(0), "\(revoke.stderr)")

        let wrongBroker = try CurveKeyPair.generate()
        let strangers: [(String, SocketOptions)] = [
            ("no key", SocketOptions()),
            ("an unknown key", options(try CurveKeyPair.generate(), serverKey: brokerKey)),
            ("a revoked key", options(otherKeys, serverKey: brokerKey)),
            (
                "a listed key that expects the wrong broker key",
                options(try keysDirectory.keyPair(of: "e2e"), serverKey: wrongBroker.publicKey)
            ),
        ]
        var readers: [(String, Collector)] = []
        var writers: [(String, BusPublisher)] = []
        for (name, options) in strangers {
            readers.append(
                (name, Collector(try BusSubscriber(connect: [broker.subscribers], prefixes: [""], options: options))))
            writers.append((name, try BusPublisher(connect: [broker.publishers], options: options)))
        }
        // Give them time to try: meanwhile the legitimate reader gets 50 more ticks.
        let seen = reader.count("e2e.tick")
        #expect(try await reader.wait { $0.count >= seen + 50 })
        for (index, (name, writer)) in writers.enumerated() {
            for source in ["e2e", "other", "offer-registry"] {
                let frames = forged("e2e.forged", source: source, seq: index + 1, payload: #"{"by":"\#(name)"}"#)
                try await writer.publish(topic: "e2e.forged", envelope: frames[1])
            }
            try await writer.flush()
        }
        let more = reader.count("e2e.tick")
        #expect(try await reader.wait { $0.count >= more + 25 }, "the bus still runs")
        for (name, collector) in readers {
            #expect(collector.messages.isEmpty, "\(name) received \(collector.messages.count) messages")
            await collector.close()
        }
        #expect(reader.count("e2e.forged") == 0, "nothing any of them sent was forwarded")
        for (_, writer) in writers { await writer.close() }
        await reader.close()
        await publisher.close()
    }

    @Test(
        "forged offer, erasure, STOP and heartbeats never reach a subscriber; the real offer that follows arrives within a second"
    )
    func forgeriesAreDropped() async throws {
        let broker = try await RunningBroker.start(environment: TestSecurity.forced)
        let offers = try await RunningService.start(
            "offer-registry", broker: broker, dataDirectory: scratchDirectory("sec-offers"), ["--review", "none"],
            environment: TestSecurity.forced)
        let candidates = try await RunningService.start(
            "candidate-registry", broker: broker, dataDirectory: scratchDirectory("sec-candidates"),
            environment: TestSecurity.forced)
        let matcher = try await RunningService.start(
            "matcher", broker: broker, dataDirectory: scratchDirectory("sec-matcher"), environment: TestSecurity.forced)
        let observer = Collector(
            try BusSubscriber(
                connect: [broker.subscribers],
                prefixes: ["offer.", "candidate.", "notification.", "match.", "heartbeat."],
                options: TestSecurity.brokerOptions("bus-tap-contact", always: true)))
        #expect(try await observer.wait { $0.contains { $0.topic == "heartbeat.offer-registry" } })
        #expect(try await observer.wait { $0.contains { $0.topic == "heartbeat.matcher" } })

        // A real person, who must stay registered with her consent on.
        let created = try await request(
            "POST", candidates.base + "/candidates", json: sampleCandidate(), auth: .key(TestSecurity.keys.officer))
        #expect(created.status == 201, "\(created.text)")
        let person = try #require(created.json?["id"]?.string)

        // The attacker holds a real key (the matcher's) and speaks for others.
        let attacker = try BusPublisher(
            connect: [broker.publishers], options: TestSecurity.brokerOptions("matcher", always: true))
        try await attacker.waitForSubscriber(covering: "offer.published", timeout: .seconds(10))
        let attacks: [[[UInt8]]] =
            [
                forged(
                    "offer.published", source: "offer-registry", seq: 1,
                    payload: #"{"id":"forged-offer","title":"Forged","conditions":{"workerFees":5000}}"#),
                forged(
                    "candidate.erased", source: "candidate-registry", seq: 2, payload: #"{"candidateId":"\#(person)"}"#),
                forged(
                    "notification.reply", source: "notifier", seq: 1,
                    payload:
                        #"{"candidateId":"\#(person)","channel":"sms","text":"STOP","receivedAt":"2026-11-30T10:00:00.000Z"}"#
                ),
                forged("offer.published", source: "matcher", seq: 1, payload: #"{"id":"own-name"}"#),
                // A stream the key may publish, in another source's name: the seq of a real matcher
                // instance elsewhere (matcher@kayes) must not be taken.
                forged("match.found", source: "matcher@kayes", seq: 1, payload: #"{"offerId":"o","candidateId":"c"}"#),
            ]
            + (1...4).map { n in
                forged(
                    "heartbeat.offer-registry", source: "offer-registry", seq: 0,
                    payload:
                        #"{"source":"offer-registry","streams":{"offer":\#(n + 5)},"replay":"tcp://127.0.0.1:\#(n)"}"#)
            }
        for frames in attacks {
            try await attacker.publish(topic: String(decoding: frames[0], as: UTF8.self), envelope: frames[1])
        }
        try await attacker.flush()

        // The real offer that takes seq 1 arrives, within a second of being accepted.
        let posted = try await request(
            "POST", offers.base + "/offers", json: sampleOffer(), auth: .key(TestSecurity.keys.officer))
        #expect(posted.status == 201, "\(posted.text)")
        let accepted = ContinuousClock.now
        let offerID = try #require(posted.json?["id"]?.string)
        #expect(
            try await observer.wait(for: .seconds(5)) { messages in
                messages.contains {
                    $0.topic == "offer.published" && String(decoding: $0.envelope, as: UTF8.self).contains(offerID)
                }
            })
        let delay = ContinuousClock.now - accepted
        #expect(delay < .seconds(1), "the real offer took \(delay)")

        // Nothing forged came through; the matcher applied the real offer and is up to date.
        let texts = observer.messages.map { String(decoding: $0.envelope, as: UTF8.self) }
        #expect(!texts.contains { $0.contains("forged-offer") || $0.contains("own-name") })
        #expect(observer.count("candidate.erased") == 0)
        #expect(observer.count("notification.") == 0)
        #expect(!texts.contains { $0.contains(#""replay":"tcp://127.0.0.1:1""#) })
        let upToDate = try await eventually(seconds: 10) {
            let health = try await request("GET", matcher.base + "/health", auth: .none).text
            return health.contains("up to date") ? health : nil
        }
        #expect(upToDate != nil)
        let matches = try await request(
            "GET", matcher.base + "/matches?offer=\(offerID)", auth: .key(TestSecurity.keys.officer))
        #expect(matches.status == 200, "the matcher knows the real offer: \(matches.text)")
        // The person is still there, her consent untouched.
        let still = try await request(
            "GET", candidates.base + "/candidates/\(person)", auth: .key(TestSecurity.keys.officer))
        #expect(still.status == 200)
        #expect(still.json?["consent"]?["notifications"] == .bool(true), "\(still.text)")

        // The broker counted each refusal against the matcher's identity.
        let metrics = try await httpGet("http://\(broker.http)/metrics")
        #expect(
            metrics.contains(#"bus_broker_refused_total{identity="matcher",reason="forged-source"} 1"#), "\(metrics)")
        #expect(metrics.contains(#"bus_broker_refused_total{identity="matcher",reason="topic-not-allowed"} 8"#))
        #expect(!texts.contains { $0.contains(#""source":"matcher@kayes""#) }, "only the real matcher's matches")
        await attacker.close()
        await observer.close()
    }

    @Test("the notifier's key cannot publish offer.; the matcher's key cannot read contact., live or by replay")
    func rightsPerIdentity() async throws {
        let broker = try await RunningBroker.start(environment: TestSecurity.forced)
        let candidates = try await RunningService.start(
            "candidate-registry", broker: broker, dataDirectory: scratchDirectory("rights-candidates"),
            environment: TestSecurity.forced)
        let allowed = Collector(
            try BusSubscriber(
                connect: [broker.subscribers], prefixes: ["offer.", "contact.", "candidate.", "heartbeat."],
                options: TestSecurity.brokerOptions("bus-tap-contact", always: true)))
        let matcherContact = Collector(
            try BusSubscriber(
                connect: [broker.subscribers], prefixes: ["contact."],
                options: TestSecurity.brokerOptions("matcher", always: true)))
        let matcherEverything = Collector(
            try BusSubscriber(
                connect: [broker.subscribers], prefixes: [""],
                options: TestSecurity.brokerOptions("matcher", always: true)))
        #expect(try await allowed.wait { $0.contains { $0.topic == "heartbeat.candidate-registry" } })
        #expect(try await matcherEverything.wait { $0.contains { $0.topic == "heartbeat.candidate-registry" } })

        let notifier = try BusPublisher(
            connect: [broker.publishers], options: TestSecurity.brokerOptions("notifier", always: true))
        try await notifier.waitForSubscriber(covering: "offer.published", timeout: .seconds(10))
        let fake = forged("offer.published", source: "notifier", seq: 1, payload: #"{"id":"from-notifier"}"#)
        try await notifier.publish(topic: "offer.published", envelope: fake[1])
        try await notifier.flush()

        let created = try await request(
            "POST", candidates.base + "/candidates", json: sampleCandidate(), auth: .key(TestSecurity.keys.officer))
        #expect(created.status == 201)
        #expect(
            try await allowed.wait { $0.contains { $0.topic == "contact.updated" } }, "contact. reaches who may read it"
        )
        #expect(try await matcherEverything.wait { $0.contains { $0.topic == "candidate.registered" } })
        // The positive signal that contact.updated had its chance: a later heartbeat of the
        // registry, announcing contact #1, on the same connection (an empty list alone would
        // also pass while the message is still on its way).
        #expect(
            try await matcherEverything.wait { messages in
                messages.contains { message in
                    guard message.topic == "heartbeat.candidate-registry",
                        case .heartbeat(let beat) = try? Envelope.decode(topic: message.topic, bytes: message.envelope)
                            .payload
                    else { return false }
                    return (beat.streams["contact"] ?? 0) >= 1
                }
            }, "a heartbeat announcing contact #1 reached the matcher")
        #expect(matcherContact.messages.isEmpty, "the matcher's contact. subscription was refused")
        #expect(matcherEverything.count("contact.") == 0, "its subscription to everything was narrowed")
        #expect(allowed.count("offer.") == 0, "the notifier's offer never left the broker")

        // Replay: the registry's endpoint, as its heartbeat names it, serves candidate. to the
        // matcher's key but not contact.
        let beat = try #require(allowed.messages.first { $0.topic == "heartbeat.candidate-registry" })
        guard case .heartbeat(let heartbeat) = try Envelope.decode(topic: beat.topic, bytes: beat.envelope).payload,
            let endpoint = heartbeat.replay
        else { throw HarnessError.notSeen(process: "candidate-registry", pattern: "heartbeat", stderr: "") }
        let matcherSecurity = try TestSecurity.security("matcher")
        let replay = try ReplayClient(
            endpoint: endpoint, source: "candidate-registry",
            options: matcherSecurity.clientOptions(SocketOptions(), server: "candidate-registry"))
        let profiles = try await replay.fetch(stream: "candidate", from: 1, timeout: .seconds(10))
        #expect(profiles.messages.count == 1)
        await #expect(throws: ReplayError.self) {
            _ = try await replay.fetch(stream: "contact", from: 1, timeout: .seconds(10))
        }
        do {
            _ = try await replay.fetch(stream: "contact", from: 1, timeout: .seconds(10))
        } catch let error as ReplayError {
            #expect("\(error)".contains("may not read stream contact"), "\(error)")
        }
        // A key that is not listed does not even get an answer.
        var stranger = SocketOptions()
        stranger.curve = .client(
            keys: try CurveKeyPair.generate(),
            serverKey: try #require(matcherSecurity.publicKey(of: "candidate-registry")))
        let unknown = try ReplayClient(endpoint: endpoint, source: "candidate-registry", options: stranger)
        await #expect(throws: ReplayError.timedOut(endpoint: endpoint, stream: "candidate", from: 1)) {
            _ = try await unknown.fetch(stream: "candidate", from: 1, timeout: .seconds(2))
        }
        await replay.close()
        await unknown.close()
        for collector in [allowed, matcherContact, matcherEverything] { await collector.close() }
        await notifier.close()
    }

    @Test("a second live process with a source already in use refuses to start; the first goes on")
    func sourceInUse() async throws {
        let broker = try await RunningBroker.start(environment: TestSecurity.forced)
        let first = try await RunningService.start(
            "offer-registry", broker: broker, dataDirectory: scratchDirectory("first"), environment: TestSecurity.forced
        )
        _ = try await first.process.waitForStderr("offer-registry ready")
        let second = try await SpawnedProcess(
            "offer-registry",
            [
                "--bus-publish", broker.publishers, "--bus-subscribe", broker.subscribers, "--data-dir",
                scratchDirectory("second"), "--http", "127.0.0.1:0", "--replay", "tcp://127.0.0.1:*",
                "--delivery-heartbeat-ms", "100",
            ], environment: TestSecurity.forced)
        // 1: the error thrown by its relay (not a timeout, nor a crash by signal).
        let status = try await second.waitForExit(timeout: .seconds(20))
        #expect(status == .exited(1), "the second process stopped with an error")
        #expect(second.stderr.contains("already in use by another running process"), "\(second.stderr.suffix(1_000))")
        #expect(first.process.isRunning)
        #expect(try await request("GET", first.base + "/health", auth: .none).status == 200)
    }
}

/// Polls `check` (every 20 ms, up to `seconds`) until it returns a value.
func eventually<T>(seconds: Double = 5, _ check: () async throws -> T?) async throws -> T? {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1_000))
    while ContinuousClock.now < deadline {
        if let value = try await check() { return value }
        try await Task.sleep(for: .milliseconds(20))
    }
    return try await check()
}
