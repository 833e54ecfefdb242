import Bus
import Foundation
import Logging
import ServiceKit
import Testing

/// An in-process broker with CURVE and the bus ACL, over a keys folder made for the test.
private struct SecuredBroker {
    let directory = KeysDirectory(path: temporaryDirectory())
    let pairs: [String: CurveKeyPair]
    let policy: BusAccessPolicy
    let broker: BrokerCore

    init(members: [String]) throws {
        pairs = try directory.create(identities: [KeysDirectory.brokerIdentity] + members)
        let security = try BusSecurity(
            directory: directory, identity: KeysDirectory.brokerIdentity, logger: Logger(label: "security"))
        policy = BusAccessPolicy(security: security)
        // A domain per test: the ZAP handler of the process is shared by every test.
        let options = try security.serverOptions(SocketOptions(), domain: "bus-\(UUID().uuidString)")
        broker = try BrokerCore(
            publishers: "tcp://127.0.0.1:*", subscribers: "tcp://127.0.0.1:*", options: options, policy: policy)
    }

    private func options(_ identity: String) throws -> SocketOptions {
        var options = SocketOptions()
        options.lingerMilliseconds = 0
        let keys = try #require(pairs[identity])
        options.curve = .client(keys: keys, serverKey: try #require(pairs[KeysDirectory.brokerIdentity]).publicKey)
        return options
    }

    func publisher(_ identity: String) throws -> BusSocket {
        try BusSocket(type: .pub, options: options(identity), connect: [broker.publisherEndpoint])
    }

    func subscriber(_ identity: String, _ prefixes: [String]) throws -> BusSocket {
        try BusSocket(type: .sub, options: options(identity), connect: [broker.subscriberEndpoint], subscribe: prefixes)
    }

    func refusals(_ identity: String, _ reason: BusAccessPolicy.Reason) -> Int {
        policy.counts.filter { $0.key.identity == identity && $0.key.reason == reason }.values.reduce(0, +)
    }

    /// Removes `identity` from `authorized-keys` on disk, as `passerelle keys revoke` does.
    func revoke(_ identity: String) throws {
        var keys = try directory.authorizedKeys()
        keys.remove(identity: identity)
        try directory.save(keys)
    }
}

private func frames(_ topic: String, _ envelope: String) -> [[UInt8]] { [Array(topic.utf8), Array(envelope.utf8)] }

/// The next message on `socket`, or nil when none comes within `window` (shared by the
/// suites of this target that wait for one message at most).
func next(_ socket: BusSocket, within window: Duration = .seconds(5)) async throws -> [[UInt8]]? {
    try await withThrowingTaskGroup(of: [[UInt8]]?.self) { group in
        group.addTask { try await socket.receive() }
        group.addTask {
            try await Task.sleep(for: window)
            return nil
        }
        defer { group.cancelAll() }
        return try await group.next() ?? nil
    }
}

/// Publishes `message` every 100 ms (a PUB drops what it sends before subscriptions reach
/// it) until `subscriber` gets a message; returns that message.
private func publishUntilHeard(
    _ message: [[UInt8]], from publisher: BusSocket, by subscriber: BusSocket
)
    async throws -> [[UInt8]]?
{
    for _ in 0..<100 {
        try await publisher.send(message)
        if let received = try await next(subscriber, within: .milliseconds(100)) { return received }
    }
    return nil
}

/// Sends `message` until the broker has counted one more refusal of `reason` for `identity`.
private func sendUntilRefused(
    _ message: [[UInt8]], from publisher: BusSocket, on bus: SecuredBroker, as identity: String,
    _ reason: BusAccessPolicy.Reason
) async throws -> Bool {
    let before = bus.refusals(identity, reason)
    for _ in 0..<100 {
        try await publisher.send(message)
        try await Task.sleep(for: .milliseconds(50))
        if bus.refusals(identity, reason) > before { return true }
    }
    return false
}

@Suite("BusAccessPolicy at a real broker: each message checked against its sender's key", .timeLimit(.minutes(1)))
struct BrokerPolicyTests {
    @Test(
        "offer-registry's offer.published passes; a forged source, a topic not allowed and a bad envelope are dropped and counted"
    )
    func publications() async throws {
        let bus = try SecuredBroker(members: ["offer-registry", "notifier", "matcher"])
        let matcher = try bus.subscriber("matcher", ["offer."])
        let offers = try bus.publisher("offer-registry")
        let notifier = try bus.publisher("notifier")
        let genuine = frames("offer.published", #"{"source":"offer-registry","n":0}"#)
        #expect(try await publishUntilHeard(genuine, from: offers, by: matcher) == genuine)

        let attempts: [(message: [[UInt8]], publisher: BusSocket, identity: String, reason: BusAccessPolicy.Reason)] = [
            (frames("offer.published", #"{"source":"candidate-registry"}"#), offers, "offer-registry", .forgedSource),
            (frames("offer.published", #"{"n":1}"#), offers, "offer-registry", .forgedSource),
            (frames("offer.published", #"{"source":"notifier"}"#), notifier, "notifier", .topicNotAllowed),
            (frames("offer.published", "not json"), offers, "offer-registry", .malformedEnvelope),
            (
                frames("offer.published", #"{"source":"offer-registry","source":"candidate-registry"}"#), offers,
                "offer-registry", .malformedEnvelope
            ),
        ]
        for (index, attempt) in attempts.enumerated() {
            let refused = try await sendUntilRefused(
                attempt.message, from: attempt.publisher, on: bus, as: attempt.identity, attempt.reason)
            #expect(refused, "attempt \(index) was not refused as \(attempt.reason)")
            // Anything forwarded before the refusal was counted would arrive before this marker.
            let marker = frames("offer.published", #"{"source":"offer-registry","n":\#(index + 10)}"#)
            try await offers.send(marker)
            #expect(try await next(matcher) == marker, "attempt \(index) reached the subscriber")
        }
        #expect(bus.broker.counters.snapshot().droppedRefused >= attempts.count)
        for socket in [matcher, offers, notifier] { await socket.close() }
        await bus.broker.stop()
    }

    @Test(
        "a subscription is granted only what the key may read: contact. reaches the notifier, not the matcher or bus-tap"
    )
    func subscriptions() async throws {
        let bus = try SecuredBroker(members: ["candidate-registry", "notifier", "matcher", "bus-tap"])
        let registry = try bus.publisher("candidate-registry")
        let notifier = try bus.subscriber("notifier", ["contact."])
        let matcher = try bus.subscriber("matcher", ["contact.", "heartbeat.candidate-registry"])
        let tap = try bus.subscriber("bus-tap", [""])
        let contact = frames("contact.changed", #"{"source":"candidate-registry"}"#)
        let beat = frames("heartbeat.candidate-registry", #"{"source":"candidate-registry"}"#)

        #expect(try await publishUntilHeard(contact, from: registry, by: notifier) == contact)
        // Both refusals counted: the contact. subscriptions were seen, and granted nothing.
        let seen = try await eventually(seconds: 10) {
            bus.refusals("matcher", .subscriptionNotAllowed) >= 1 ? true : nil
        }
        #expect(seen == true)
        // One connection keeps its order: a contact. message forwarded to them would come first.
        for reader in [matcher, tap] {
            try await registry.send(contact)
            try await registry.send(beat)
            var received: [[[UInt8]]] = []
            while let message = try await next(reader) {
                received.append(message)
                if message == beat { break }
            }
            #expect(received.last == beat, "the heartbeat after the contact. message arrives")
            #expect(!received.contains(contact), "a reader without contact. rights got a contact. message")
        }
        for socket in [registry, notifier, matcher, tap] { await socket.close() }
        await bus.broker.stop()
    }

    @Test("a key removed from authorized-keys on disk is refused at its next connection, the broker still running")
    func revocation() async throws {
        let bus = try SecuredBroker(members: ["offer-registry", "matcher", "notifier"])
        let offers = try bus.publisher("offer-registry")
        let offer = frames("offer.published", #"{"source":"offer-registry"}"#)
        let before = try bus.subscriber("matcher", ["offer."])
        #expect(try await publishUntilHeard(offer, from: offers, by: before) == offer, "matcher's key works at first")
        await before.close()

        try bus.revoke("matcher")
        let revoked = try bus.subscriber("matcher", ["offer."])
        let control = try bus.subscriber("notifier", ["offer."])
        #expect(try await publishUntilHeard(offer, from: offers, by: control) == offer)
        for _ in 0..<10 {
            try await offers.send(offer)
            #expect(try await next(control) == offer)
        }
        #expect(try await next(revoked, within: .milliseconds(500)) == nil, "the revoked key still reads offers")
        for socket in [offers, revoked, control] { await socket.close() }
        await bus.broker.stop()
    }
}
