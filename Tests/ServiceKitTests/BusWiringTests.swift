import Bus
import Foundation
import ServiceKit
import Testing

@Suite("Publisher and subscriber wired from the settings", .timeLimit(.minutes(1)))
struct BusWiringTests {
    @Test("a service's publisher and subscriber meet through the broker its settings name")
    func wiredThroughBroker() async throws {
        let broker = try BrokerCore(publishers: "tcp://127.0.0.1:*", subscribers: "tcp://127.0.0.1:*")
        let settings = try await ServiceSettings.load(
            .offerRegistry,
            environment: [
                "PASSERELLE_BUS_PUBLISH": broker.publisherEndpoint,
                "PASSERELLE_BUS_SUBSCRIBE": broker.subscriberEndpoint,
            ])
        let subscriber = try settings.makeSubscriber(prefixes: ["offer."])
        let publisher = try settings.makePublisher()
        try await publisher.waitForSubscriber(covering: "offer.published", timeout: .seconds(10))
        try await publisher.publish(topic: "offer.published", envelope: Array("{}".utf8))
        #expect(
            try await subscriber.next() == .message(BusMessage(topic: "offer.published", envelope: Array("{}".utf8))))
        await publisher.close()
        await subscriber.close()
        await broker.stop()
    }
}
