import Bus
import Logging
import Messages
import Synchronization

/// One source name, one live process (DESIGN.md, "Sources are independent"): seq numbers
/// are per (source, stream), so two processes publishing as one source would hand readers
/// two different events under one seq, and readers would skip one as a duplicate.
///
/// Each relay's heartbeat carries a random `instance` id. A starting relay listens, silent,
/// for 2.5 heartbeat intervals (at least 2 s) before it publishes anything (heartbeats included): another
/// instance heard means the name is taken, and the newcomer refuses to start. A running
/// relay that hears another instance (two started at the same moment) logs it and reports
/// `/health` degraded.
final class SourceGuard: Sendable {
    let subscriber: BusSubscriber
    let source: String
    private let others = Mutex<Set<String>>([])

    init(subscriber: BusSubscriber, source: String) {
        self.subscriber = subscriber
        self.source = source
    }

    /// Throws ``DeliveryError/sourceInUse(source:)`` if another instance is heard within `window`.
    func probe(instance: String, for window: Duration) async throws {
        let deadline = ContinuousClock.now + window
        while ContinuousClock.now < deadline {
            if !others.withLock({ $0.isEmpty }) { throw DeliveryError.sourceInUse(source: source) }
            try await Task.sleep(for: .milliseconds(20))
        }
        if !others.withLock({ $0.isEmpty }) { throw DeliveryError.sourceInUse(source: source) }
    }

    /// Reads heartbeats of this source for as long as the relay runs.
    func watch(instance: String, health: HealthChecks?, logger: Logger) async throws {
        while let delivery = try await subscriber.next() {
            guard case .message(let message) = delivery, message.topic == "heartbeat." + source,
                let envelope = try? Envelope.decode(topic: message.topic, bytes: message.envelope),
                case .heartbeat(let beat) = envelope.payload, beat.source == source,
                let other = beat.instance, other != instance
            else { continue }
            let isNew = others.withLock { $0.insert(other).inserted }
            if isNew {
                logger.error(
                    "another process publishes as this source; it must be given its own (--source NAME@SITE)",
                    metadata: ["source": "\(source)", "other": "\(other)"])
                health?.report("source", .degraded, "another process (instance \(other)) also publishes as \(source)")
            }
        }
    }
}

/// Why the delivery machinery refuses to go on.
public enum DeliveryError: Error, Sendable, CustomStringConvertible {
    case sourceInUse(source: String)

    public var description: String {
        switch self {
        case .sourceInUse(let source):
            "source '\(source)' is already in use by another running process: give this one its own "
                + "(--source / PASSERELLE_SOURCE, e.g. \(source)@site) or stop the other"
        }
    }
}
