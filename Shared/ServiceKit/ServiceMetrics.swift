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
