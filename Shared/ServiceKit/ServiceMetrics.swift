import Prometheus
import Synchronization

/// A process's metrics in Prometheus form, served at `GET /metrics`.
///
/// Counters made here are ordinary swift-prometheus metrics. Values that live elsewhere
/// (the broker's atomic counters, a queue's depth) are brought in by a *collector* closure
/// that runs just before each scrape.
public final class ServiceMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let collectors = Mutex<[@Sendable () -> Void]>([])

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
    }

    /// Runs `collect` before every scrape.
    public func addCollector(_ collect: @escaping @Sendable () -> Void) {
        collectors.withLock { $0.append(collect) }
    }

    /// A counter, with labels.
    public func counter(_ name: String, labels: [(String, String)] = [], help: String) -> Counter {
        registry.makeCounter(name: name, labels: labels, help: help)
    }

    /// A gauge, with labels.
    public func gauge(_ name: String, labels: [(String, String)] = [], help: String) -> Gauge {
        registry.makeGauge(name: name, labels: labels, help: help)
    }

    /// A histogram of durations, with labels; `buckets` in seconds from 1 ms to 1 min by default.
    public func histogram(
        _ name: String, labels: [(String, String)] = [], help: String,
        buckets: [Duration] = ServiceMetrics.latencyBuckets
    ) -> DurationHistogram {
        registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help), labels: labels,
            buckets: buckets)
    }

    /// Buckets for latencies of requests and deliveries.
    public static let latencyBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
        .seconds(10), .seconds(30), .seconds(60),
    ]

    /// A counter that follows a total kept elsewhere: each scrape adds what it grew by.
    public func mirroredCounter(
        _ name: String, labels: [(String, String)] = [], help: String, total: @escaping @Sendable () -> Int
    ) {
        let counter = counter(name, labels: labels, help: help)
        let last = Mutex(0)
        addCollector {
            let now = total()
            let delta = last.withLock { last in
                defer { last = now }
                return now - last
            }
            if delta > 0 { counter.increment(by: Int64(delta)) }
        }
    }

    /// The Prometheus text exposition.
    public func exposition() -> [UInt8] {
        for collect in collectors.withLock({ $0 }) { collect() }
        return registry.emitToBuffer()
    }
}
