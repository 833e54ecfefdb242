import Messages
import Prometheus
import Synchronization

/// What an ``Inbox`` shows in `/metrics`, per source: events applied, duplicates skipped,
/// events repaired from replay, dead letters, how far behind each stream is, and how old
/// events are when applied (commit at the source → applied here).
final class InboxMetrics: Sendable {
    let metrics: ServiceMetrics
    /// Per "source/stream": seqs announced and not yet applied, as last reported.
    private let behind = Mutex<[Inbox.Key: Int64]>([:])

    init(_ metrics: ServiceMetrics) {
        self.metrics = metrics
        metrics.addCollector { [weak self] in self?.collect() }
    }

    private func collect() {
        for (key, count) in behind.withLock({ $0 }) {
            metrics.gauge(
                "passerelle_inbox_behind", labels: [("source", key.source), ("stream", key.stream)],
                help: "Seqs a source announced that this inbox has not applied yet (its lag, in events)."
            ).set(count)
        }
    }

    func applied(_ envelopes: [Envelope], key: Inbox.Key) {
        guard !envelopes.isEmpty else { return }
        metrics.counter(
            "passerelle_inbox_applied_total", labels: [("source", key.source), ("stream", key.stream)],
            help: "Events applied by the inbox, per source and stream."
        ).increment(by: Int64(envelopes.count))
        let age = metrics.histogram(
            "passerelle_inbox_event_age_seconds", labels: [("source", key.source)],
            help: "Age of an event when applied here: from its commit at the source (the envelope's time).")
        let now = Timestamp.now.millisecondsSinceEpoch
        for envelope in envelopes { age.record(.milliseconds(max(0, now - envelope.time.millisecondsSinceEpoch))) }
    }

    func count(_ name: String, source: String, by amount: Int = 1, help: String) {
        guard amount > 0 else { return }
        metrics.counter("passerelle_inbox_\(name)_total", labels: [("source", source)], help: help)
            .increment(by: Int64(amount))
    }

    func report(behind: [Inbox.Key: Int64]) { self.behind.withLock { $0 = behind } }
}
