import Bus
import Foundation
import Testing

@Suite("BrokerCore: XSUB ⇄ XPUB forwarding, framing checks, counters")
struct BrokerCoreTests {
    @Test("messages and subscriptions cross the broker; garbage is dropped and counted")
    func forwardsAndFilters() async throws {
        let broker = try BrokerCore(
            publishers: inprocEndpoint("pub"), subscribers: inprocEndpoint("sub"), maxMessageBytes: 1_000)
        let publisher = try BusPublisher(connect: [broker.publisherEndpoint])
        let raw = try BusSocket(type: .xpub, connect: [broker.publisherEndpoint])
        let subscriber = try BusSubscriber(connect: [broker.subscriberEndpoint], prefixes: ["offer."])
        try await publisher.waitForSubscriber(covering: "offer.", timeout: .seconds(5))

        _ = try await raw.receive()  // the raw socket got the subscription too
        // Garbage for the broker: one frame, oversize. Neither may arrive.
        try await raw.send([Array("offer.only-one-frame".utf8)])
        try await raw.send([Array("offer.big".utf8), [UInt8](repeating: 1, count: 2_000)])
        try await publisher.publish(topic: "offer.published", envelope: Array("{\"ok\":true}".utf8))

        let delivery = try await subscriber.next()
        #expect(delivery == .message(BusMessage(topic: "offer.published", envelope: Array("{\"ok\":true}".utf8))))
        // The counters move just after the send: wait for them, boundedly.
        let expected = BrokerCounters.Snapshot(
            messagesForwarded: 1, bytesForwarded: "offer.published".utf8.count + "{\"ok\":true}".utf8.count,
            subscriptionsForwarded: 1, subscriptionBytes: 1 + "offer.".utf8.count,
            droppedMalformed: 1, droppedOversize: 1)
        let totals = try await eventually { broker.counters.snapshot() == expected ? expected : nil }
        #expect(totals == expected, "got \(broker.counters.snapshot())")
        await raw.close()
        await publisher.close()
        await subscriber.close()
        await broker.stop()
    }
}

/// Polls `check` every 10 ms for up to `seconds`; returns its first non-nil value.
func eventually<T>(seconds: Double = 5, _ check: () async throws -> T?) async throws -> T? {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline {
        if let value = try await check() { return value }
        try await Task.sleep(for: .milliseconds(10))
    }
    return try await check()
}
