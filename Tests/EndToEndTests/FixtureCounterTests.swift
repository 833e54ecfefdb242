import Foundation
import Messages
import ServiceTesting
import Testing

/// The README's one-page service, run as a process beside a real registry and broker.
@Suite("fixture-counter: a new service in one page", .timeLimit(.minutes(2)))
struct FixtureCounterTests {
    @Test("it counts the offers the registry publishes, those before it started included (replay)")
    func counts() async throws {
        let broker = try await RunningBroker.start()
        let offers = try await RunningService.start(
            "offer-registry", broker: broker, dataDirectory: scratchDirectory("counter-offers"))
        for (id, country) in [("c-1", "ES"), ("c-2", "ES"), ("c-3", "FR")] {
            let created = try await request(
                "POST", offers.base + "/offers",
                json: sampleOffer([
                    "id": .string(id), "country": .string(country), "employer.registration": .string(id),
                ]))
            #expect(created.status == 201, "\(created.text)")
        }
        let counter = try await RunningService.start(
            "fixture-counter", broker: broker, dataDirectory: scratchDirectory("counter"))
        let early = try await waitUntil("the three offers counted") {
            let counts = try await request("GET", counter.base + "/counts").json
            return counts?["offers"] == ["ES": 2, "FR": 1] ? counts : nil
        }
        #expect(early["offers"]?["ES"] == 2)
        let live = try await request(
            "POST", offers.base + "/offers",
            json: sampleOffer(["id": "c-4", "country": "ES", "employer.registration": "c-4"]))
        #expect(live.status == 201)
        _ = try await waitUntil("the live offer counted") {
            try await request("GET", counter.base + "/counts").json?["offers"]?["ES"] == 3 ? true : nil
        }
        let health = try await request("GET", counter.base + "/health")
        #expect(health.status == 200 && health.text.contains("up to date"), "\(health.text)")
    }
}
