import Foundation
import Messages
import ServiceTesting
import Testing

/// One sample of the Prometheus text format: `name{label="value",…} number`.
struct MetricSample: Equatable {
    var name: String
    var labels: [String: String]
    var value: Double

    /// Every sample of an exposition; comments and blank lines skipped. A malformed line
    /// fails the test: `/metrics` must be readable by Prometheus.
    static func parse(_ text: String) throws -> [MetricSample] {
        let line = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? ([^ ]+)$/
        let pair = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/
        var samples: [MetricSample] = []
        for row in text.split(separator: "\n") where !row.hasPrefix("#") && !row.isEmpty {
            guard let match = row.wholeMatch(of: line), let value = Double(match.3) else {
                throw HarnessError.timedOut(waitingFor: "a Prometheus sample", last: String(row))
            }
            var labels: [String: String] = [:]
            for label in (match.2 ?? "").matches(of: pair) { labels[String(label.1)] = String(label.2) }
            samples.append(MetricSample(name: String(match.1), labels: labels, value: value))
        }
        return samples
    }
}

extension [MetricSample] {
    /// The sum of the samples of `name` whose labels include `labels`.
    func total(_ name: String, _ labels: [String: String] = [:]) -> Double {
        filter { sample in sample.name == name && labels.allSatisfy { key, value in sample.labels[key] == value } }
            .reduce(0) { $0 + $1.value }
    }

    func has(_ name: String) -> Bool { contains { $0.name == name } }
}

@Suite("/metrics after the end-to-end flow", .serialized, .timeLimit(.minutes(2)))
struct MetricsEndToEndTests {
    @Test("each service shows its HTTP requests, its outbox and relay or its inbox, and their lag")
    func everyServiceMeasures() async throws {
        let broker = try await RunningBroker.start()
        let offers = try await RunningService.start(
            "offer-registry", broker: broker, dataDirectory: scratchDirectory("metrics-offers"))
        let candidates = try await RunningService.start(
            "candidate-registry", broker: broker, dataDirectory: scratchDirectory("metrics-candidates"))
        let offer = try await request("POST", offers.base + "/offers", json: sampleOffer())
        let offerId = try #require(offer.json?["id"]?.string)
        #expect(try await request("POST", candidates.base + "/candidates", json: sampleCandidate()).status == 201)
        // Started once the offer is on the bus: it learns it from the registry's replay endpoint.
        _ = try await waitUntil("the offer published") {
            try await request("GET", offers.base + "/health").text.contains("offer: 1 of 1 published") ? true : nil
        }
        let matcher = try await RunningService.start(
            "matcher", broker: broker, dataDirectory: scratchDirectory("metrics-matcher"))
        _ = try await waitUntil("a match") {
            let list = try await request("GET", matcher.base + "/matches?offer=\(offerId)").json?["matches"]
            return list?[0] != nil ? true : nil
        }
        func scrape(_ service: RunningService) async throws -> [MetricSample] {
            try MetricSample.parse(try await request("GET", service.base + "/metrics").text)
        }

        let registry = try await scrape(offers)
        #expect(
            registry.total("passerelle_http_requests_total", ["route": "/offers", "method": "POST", "status": "201"])
                == 1)
        #expect(registry.total("passerelle_http_request_duration_seconds_count", ["route": "/offers"]) >= 1)
        #expect(registry.total("passerelle_relay_published_total", ["stream": "offer"]) >= 1)
        #expect(registry.total("passerelle_relay_lag_seconds_count", ["stream": "offer"]) >= 1)
        #expect(registry.has("passerelle_relay_pending"))
        #expect(registry.total("passerelle_replay_requests_total", ["outcome": "served"]) >= 1, "the matcher replayed")

        let people = try await scrape(candidates)
        #expect(people.total("passerelle_http_requests_total", ["route": "/candidates", "status": "201"]) == 1)
        #expect(people.total("passerelle_relay_published_total", ["stream": "contact"]) >= 1)
        #expect(people.total("passerelle_relay_lag_seconds_count", ["stream": "candidate"]) >= 1)

        // A relay publishes nothing during its first 2 s (it listens for a twin of its source).
        let matching = try await waitUntil("the matcher's relay published the match") {
            let samples = try await scrape(matcher)
            return samples.total("passerelle_relay_published_total", ["stream": "match"]) >= 1 ? samples : nil
        }
        #expect(matching.total("passerelle_http_requests_total", ["route": "/matches", "status": "200"]) >= 1)
        #expect(matching.total("passerelle_inbox_applied_total", ["source": "offer-registry", "stream": "offer"]) >= 1)
        #expect(matching.total("passerelle_inbox_applied_total", ["source": "candidate-registry"]) >= 1)
        #expect(matching.total("passerelle_inbox_event_age_seconds_count", ["source": "candidate-registry"]) >= 1)
        #expect(matching.has("passerelle_inbox_behind"))
        #expect(matching.total("passerelle_relay_published_total", ["stream": "match"]) >= 1)
        // A path no route takes is counted as such, not by its text (no series per scan).
        _ = try await request("GET", matcher.base + "/wp-admin/\(UUID().uuidString)")
        let after = try await scrape(matcher)
        #expect(
            after.total("passerelle_http_requests_total", ["route": "unmatched"]) >= 1,
            "\(after.filter { $0.name == "passerelle_http_requests_total" })")
        #expect(!after.contains { $0.labels["route"]?.contains("wp-admin") == true })
    }
}
