import Foundation
import Messages
import ServiceTesting
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Debian's prometheus and promtool, which `compose/dev test` installs.
enum PrometheusInstallation {
    static let prometheus = URL(fileURLWithPath: "/usr/bin/prometheus")
    static let promtool = URL(fileURLWithPath: "/usr/bin/promtool")
    static var isInstalled: Bool {
        [prometheus, promtool].allSatisfy { FileManager.default.isExecutableFile(atPath: $0.path) }
    }
    static var skipReason: Comment {
        "Prometheus is not installed (/usr/bin/prometheus, /usr/bin/promtool): compose/dev test installs Debian's prometheus"
    }
    /// compose/prometheus, what an operator deploys.
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("compose/prometheus")
}

@Suite(
    "Prometheus: the shipped configuration and alerts, and a real scrape",
    .enabled(if: PrometheusInstallation.isInstalled, PrometheusInstallation.skipReason), .serialized,
    .timeLimit(.minutes(3)))
struct PrometheusTests {
    @Test("promtool accepts compose/prometheus, and each alert fires on its unit test's series, not before its time")
    func promtool() async throws {
        let folder = PrometheusInstallation.folder.path
        for arguments in [
            ["check", "config", folder + "/prometheus.yml"], ["check", "rules", folder + "/alerts.yml"],
            ["test", "rules", folder + "/alerts_test.yml"],
        ] {
            let run = try SpawnedProcess(
                executable: PrometheusInstallation.promtool, name: "promtool", arguments)
            #expect(
                try await run.waitForExit(timeout: .seconds(60)) == .exited(0),
                "promtool \(arguments.joined(separator: " ")): \(run.stdout) \(run.stderr)")
        }
    }

    /// The query's result: each series' labels and value.
    static func query(_ base: String, _ expression: String) async throws -> [(labels: [String: String], value: String)]
    {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let url =
            base + "/api/v1/query?query=" + (expression.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")
        let (data, _) = try await URLSession.shared.data(from: URL(string: url)!)
        guard let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let result = (json["data"] as? [String: Any])?["result"] as? [[String: Any]]
        else { return [] }
        return result.map { series in
            ((series["metric"] as? [String: String]) ?? [:], ((series["value"] as? [Any])?.last as? String) ?? "")
        }
    }

    @Test(
        "Debian's prometheus scrapes a running broker, offer registry and notifier; their series come back through its API; a stopped service raises ServiceDown"
    )
    func scrape() async throws {
        let broker = try await RunningBroker.start()
        let offers = try await RunningService.start(
            "offer-registry", broker: broker, dataDirectory: scratchDirectory("prom-offers"))
        let notifier = try await RunningService.start(
            "notifier", broker: broker, dataDirectory: scratchDirectory("prom-notifier"))
        #expect(try await request("POST", offers.base + "/offers", json: sampleOffer()).status == 201)
        let folder = scratchDirectory("prometheus")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let targets = [
            ("bus-broker", broker.http), ("offer-registry", String(offers.base.dropFirst("http://".count))),
            ("notifier", String(notifier.base.dropFirst("http://".count))),
        ]
        let configuration =
            """
            global: { scrape_interval: 1s, evaluation_interval: 1s }
            rule_files: ["\(PrometheusInstallation.folder.path)/alerts.yml"]
            scrape_configs:

            """
            + targets.map { "  - { job_name: \($0.0), static_configs: [{ targets: [\"\($0.1)\"] }] }\n" }.joined()
        try configuration.write(toFile: folder + "/prometheus.yml", atomically: true, encoding: .utf8)
        var reserved: ReservedPort? = try ReservedPort()
        let port = reserved!.port
        reserved = nil
        let prometheus = try SpawnedProcess(
            executable: PrometheusInstallation.prometheus, name: "prometheus",
            [
                "--config.file=\(folder)/prometheus.yml", "--storage.tsdb.path=\(folder)/data",
                "--web.listen-address=127.0.0.1:\(port)",
            ])
        let api = "http://127.0.0.1:\(port)"
        // Every target up, as Prometheus saw it.
        let up = try await waitUntil("every target up in Prometheus", timeout: .seconds(60)) {
            () -> [String: String]? in
            guard prometheus.isRunning else {
                throw HarnessError.timedOut(waitingFor: "prometheus", last: prometheus.stderr)
            }
            let series = (try? await Self.query(api, "up")) ?? []
            let jobs = Dictionary(series.map { ($0.labels["job"] ?? "", $0.value) }, uniquingKeysWith: { $1 })
            return targets.allSatisfy({ jobs[$0.0] == "1" }) ? jobs : nil
        }
        #expect(up.count == 3, "\(up)")
        // The services' own series, read back.
        let published = try await waitUntil("the registry's relay counted", timeout: .seconds(30)) {
            () -> [(labels: [String: String], value: String)]? in
            let series = try await Self.query(api, #"passerelle_relay_published_total{job="offer-registry"}"#)
            return series.contains { (Double($0.value) ?? 0) >= 1 } ? series : nil
        }
        #expect(published.contains { $0.labels["stream"] == "offer" }, "\(published)")
        #expect(try await !Self.query(api, "bus_broker_messages_total").isEmpty)
        let sms = try await Self.query(api, #"passerelle_notifications_total{job="notifier"}"#)
        #expect(Set(sms.compactMap { $0.labels["outcome"] }) == ["sent", "retried", "failed"], "\(sms)")
        // The registry stops: its ServiceDown alert is pending (it fires after 2 minutes).
        offers.process.signal(SIGTERM)
        _ = try await offers.process.waitForExit(timeout: .seconds(30))
        let alert = try await waitUntil("ServiceDown for the registry", timeout: .seconds(60)) {
            () -> [(labels: [String: String], value: String)]? in
            let series = try await Self.query(api, #"ALERTS{alertname="ServiceDown"}"#)
            return series.isEmpty ? nil : series
        }
        #expect(alert.map { $0.labels["job"] } == ["offer-registry"], "\(alert)")
        #expect(alert.first?.labels["alertstate"] == "pending")
    }
}
