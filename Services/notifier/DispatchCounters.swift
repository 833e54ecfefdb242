import Prometheus
import ServiceKit

/// What became of each hand-over to the channel, on `/metrics`:
/// `passerelle_notifications_total{channel, outcome="sent"|"retried"|"failed"}` (failed: no
/// more tries). The operator's alert on SMS failures reads it.
struct DispatchCounters: Sendable {
    enum Outcome: String, CaseIterable { case sent, retried, failed }

    private let counters: [Outcome: Counter]

    init(metrics: ServiceMetrics, channel: String) {
        var counters: [Outcome: Counter] = [:]
        for outcome in Outcome.allCases {
            counters[outcome] = metrics.counter(
                "passerelle_notifications_total", labels: [("channel", channel), ("outcome", outcome.rawValue)],
                help: "Messages handed to the channel, by outcome (failed: no more tries)")
        }
        self.counters = counters
    }

    func count(_ outcome: Outcome) { counters[outcome]?.increment() }
}
