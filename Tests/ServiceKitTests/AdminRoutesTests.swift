import Foundation
import Hummingbird
import HummingbirdTesting
import NIOFoundationEssentialsCompat
import Prometheus
import ServiceKit
import Testing

@Suite("GET /health and GET /metrics")
struct AdminRoutesTests {
    func application(_ health: HealthChecks, _ metrics: ServiceMetrics) -> some ApplicationProtocol {
        let router = Router()
        router.addAdminRoutes(health: health, metrics: metrics)
        return Application(router: router)
    }

    @Test("health is JSON: ok while all checks are, degraded (still 200) or down (503) by the worst")
    func health() async throws {
        let health = HealthChecks(service: "matcher")
        let app = application(health, ServiceMetrics())
        try await app.test(.router) { client in
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .ok)
                let report = try JSONDecoder().decode(HealthReport.self, from: Data(buffer: response.body))
                #expect(report.status == .ok && report.service == "matcher")
            }
            health.report("bus", .ok, "connected")
            health.report("replay", .degraded, "behind offer-registry/offer by 12")
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .ok)
                let report = try JSONDecoder().decode(HealthReport.self, from: Data(buffer: response.body))
                #expect(report.status == .degraded)
                #expect(report.checks["replay"]?.detail == "behind offer-registry/offer by 12")
            }
            health.report("store", .down, "disk full")
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
            }
        }
    }

    @Test("metrics are Prometheus text, collectors run at each scrape")
    func metrics() async throws {
        let metrics = ServiceMetrics()
        let counter = metrics.counter("passerelle_test_total", labels: [("kind", "a")], help: "A test counter.")
        counter.increment(by: Int64(3))
        let total = TestTotal()
        metrics.mirroredCounter("passerelle_mirrored_total", help: "Follows a total kept elsewhere.") { total.value }
        let app = application(HealthChecks(service: "x"), metrics)
        try await app.test(.router) { client in
            total.value = 5
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
                #expect(text.contains("# TYPE passerelle_test_total counter"))
                #expect(text.contains(#"passerelle_test_total{kind="a"} 3"#))
                #expect(text.contains("passerelle_mirrored_total 5"))
            }
            total.value = 8
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(String(buffer: response.body).contains("passerelle_mirrored_total 8"))
            }
        }
    }

    @Test("openapi.yaml is the document given, as YAML in UTF-8, byte for byte; without one there is no such route")
    func openAPI() async throws {
        let document = Array("openapi: 3.1.0\ninfo: {title: « essai », version: \"1\"}\npaths: {}\n".utf8)
        let router = Router()
        router.addAdminRoutes(health: HealthChecks(service: "x"), metrics: ServiceMetrics(), openAPI: document)
        try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/openapi.yaml", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/yaml; charset=utf-8")
                #expect(Array(response.body.readableBytesView) == document)
            }
        }
        try await application(HealthChecks(service: "x"), ServiceMetrics()).test(.router) { client in
            try await client.execute(uri: "/openapi.yaml", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }
}

final class TestTotal: @unchecked Sendable {
    private let lock = NSLock()
    private var stored = 0
    var value: Int {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
