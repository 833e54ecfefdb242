import Bus
import Foundation
import Testing

@Suite("BusPublisher and BusSubscriber: two-frame messages, prefix filters, slow joiners")
struct PublisherTests {
    @Test("a publisher sees the subscription arrive, then every message reaches the subscriber")
    func waitForSubscriberThenDeliver() async throws {
        let endpoint = inprocEndpoint()
        let publisher = try BusPublisher(bind: [endpoint])
        let subscriber = try BusSubscriber(connect: [endpoint], prefixes: ["offer."])
        try await publisher.waitForSubscriber(covering: "offer.published", timeout: .seconds(5))
        try await publisher.publish(topic: "candidate.registered", envelope: Array("{}".utf8))
        try await publisher.publish(topic: "offer.published", envelope: Array("{\"n\":1}".utf8))
        let delivery = try await subscriber.next()
        #expect(delivery == .message(BusMessage(topic: "offer.published", envelope: Array("{\"n\":1}".utf8))))
        await publisher.close()
        await subscriber.close()
    }

    @Test("waiting for a subscriber nobody starts times out with a clear error")
    func waitTimesOut() async throws {
        let publisher = try BusPublisher(bind: [inprocEndpoint()])
        await #expect(throws: BusError.timedOut(what: "a subscriber of offer.published")) {
            try await publisher.waitForSubscriber(covering: "offer.published", timeout: .milliseconds(100))
        }
        await publisher.close()
    }

    @Test(
        "a message that breaks the framing is reported, not thrown",
        arguments: [
            ([[UInt8]]([Array("only-topic".utf8)]), "expected 2 frames (topic, envelope), got 1"),
            ([[], Array("{}".utf8)], "empty topic frame"),
            ([[0xFF, 0xFE], Array("{}".utf8)], "topic frame is not valid UTF-8"),
        ])
    func malformedIsReported(frames: [[UInt8]], reason: String) async throws {
        let endpoint = inprocEndpoint()
        let raw = try BusSocket(type: .xpub, bind: [endpoint])
        let subscriber = try BusSubscriber(connect: [endpoint], prefixes: [""])
        _ = try await raw.receive()  // the subscription: from now on messages are delivered
        try await raw.send(frames)
        let delivery = try await subscriber.next()
        guard case .malformed(let got, let count, _) = delivery else {
            Issue.record("expected a malformed report, got \(String(describing: delivery))")
            return
        }
        #expect(got == reason)
        #expect(count == frames.count)
        await raw.close()
        await subscriber.close()
    }
}
