import Bus
import Logging
import Prometheus
import ServiceKit
import ServiceLifecycle
import Synchronization

/// Runs a ``BrokerCore`` until graceful shutdown, with its counters on `/metrics`.
struct BrokerService: Service {
    let publishers: String
    let subscribers: String
    let maxMessageBytes: Int
    let options: SocketOptions
    /// As configured; `nil` gives the hub a larger default than a service's.
    let highWaterMark: Int32?
    let context: ServiceContext

    func run() async throws {
        let logger = context.logger
        var options = options
        // The broker is the hub: unless told otherwise, its queues absorb bursts of every publisher.
        options.sendHighWaterMark = highWaterMark ?? 200_000
        options.receiveHighWaterMark = highWaterMark ?? 200_000
        var policy: BusAccessPolicy?
        if let security = context.settings.security {
            // CURVE on both sides, every handshake through ZAP, every message through the ACL.
            options = try security.serverOptions(options, domain: "bus-broker")
            policy = BusAccessPolicy(security: security)
        }
        let core = try BrokerCore(
            publishers: publishers, subscribers: subscribers, options: options,
            maxMessageBytes: maxMessageBytes, policy: policy, logger: logger)
        register(core.counters)
        if let policy { register(policy) }
        context.health.report(
            "forwarding", .ok, "publishers \(core.publisherEndpoint), subscribers \(core.subscriberEndpoint)")
        logger.info(
            "bus-broker ready",
            metadata: [
                "publishers": "\(core.publisherEndpoint)", "subscribers": "\(core.subscriberEndpoint)",
                "libzmq": "\(BusContext.libraryVersion)",
                "security": "\(policy == nil ? "off (no keys)" : "CURVE, ZAP and ACL")",
            ])
        try? await gracefulShutdown()
        await core.stop()
        let totals = core.counters.snapshot()
        logger.info(
            "bus-broker stopped",
            metadata: [
                "messages": "\(totals.messagesForwarded)", "bytes": "\(totals.bytesForwarded)",
                "subscriptions": "\(totals.subscriptionsForwarded)",
                "droppedMalformed": "\(totals.droppedMalformed)", "droppedOversize": "\(totals.droppedOversize)",
            ])
    }

    /// `bus_broker_refused_total{identity, reason}`: each identity's refused traffic.
    private func register(_ policy: BusAccessPolicy) {
        let metrics = context.metrics
        let reported = Mutex<[BusAccessPolicy.Refusal: Int]>([:])
        metrics.addCollector {
            for (refusal, total) in policy.counts {
                let delta = reported.withLock { reported in
                    defer { reported[refusal] = total }
                    return total - (reported[refusal] ?? 0)
                }
                guard delta > 0 else { continue }
                metrics.counter(
                    "bus_broker_refused_total",
                    labels: [("identity", refusal.identity), ("reason", refusal.reason.rawValue)],
                    help: "Messages and subscriptions refused by the access rules, per identity and reason."
                ).increment(by: Int64(delta))
            }
        }
    }

    private func register(_ counters: BrokerCounters) {
        let metrics = context.metrics
        let messagesHelp =
            "Messages forwarded: publish (publishers to subscribers) or subscribe (subscriptions upstream)."
        let bytesHelp = "Bytes forwarded: publish (publishers to subscribers) or subscribe (subscriptions upstream)."
        metrics.mirroredCounter(
            "bus_broker_messages_total", labels: [("direction", "publish")],
            help: messagesHelp
        ) { counters.snapshot().messagesForwarded }
        metrics.mirroredCounter(
            "bus_broker_bytes_total", labels: [("direction", "publish")],
            help: bytesHelp
        ) { counters.snapshot().bytesForwarded }
        metrics.mirroredCounter(
            "bus_broker_messages_total", labels: [("direction", "subscribe")],
            help: messagesHelp
        ) {
            counters.snapshot().subscriptionsForwarded
        }
        metrics.mirroredCounter(
            "bus_broker_bytes_total", labels: [("direction", "subscribe")],
            help: bytesHelp
        ) { counters.snapshot().subscriptionBytes }
        metrics.mirroredCounter(
            "bus_broker_dropped_total", labels: [("reason", "malformed")],
            help: "Messages dropped instead of forwarded."
        ) { counters.snapshot().droppedMalformed }
        metrics.mirroredCounter(
            "bus_broker_dropped_total", labels: [("reason", "oversize")],
            help: "Messages dropped instead of forwarded."
        ) { counters.snapshot().droppedOversize }
    }
}
