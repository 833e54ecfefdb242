import Bus
import Foundation
import GRDB
import Logging
import Messages
import Prometheus
import ServiceLifecycle
import Synchronization

/// Publishes committed outbox rows, in order, as soon as they commit (a GRDB transaction
/// observer rings it; no polling on the hot path), and sends the heartbeat.
///
/// Its cursor (the last seq handed to the socket, per stream) is stored, so a restart
/// resumes where it stopped; a row published twice is harmless (inboxes skip duplicates)
/// and a row lost on the wire is found again by subscribers through heartbeat and replay.
public struct OutboxRelay: Service {
    let database: ServiceDatabase
    let publisher: BusPublisher
    let source: String
    let replayEndpoint: String?
    let heartbeatInterval: Duration
    let batchSize: Int
    let logger: Logger
    let health: HealthChecks?
    let progress = RelayProgress()
    let metrics: ServiceMetrics?
    /// Heartbeats of this source from other processes (see ``SourceGuard``); nil: not checked.
    let sourceGuard: SourceGuard?
    let instance = UUID().uuidString.lowercased()
    /// For tests only (fixture-publisher's `--hold-after-send`): runs after a batch was handed
    /// to the socket and before the cursor is saved, with the stream and its last seq sent, so
    /// that a test can kill the process there. Nil in every service.
    public var afterSendBeforeCursorSave: (@Sendable (_ stream: String, _ seq: Int64) async -> Void)?

    /// - Parameter sameSourceWatch: a subscriber to `heartbeat.<source>`: before publishing
    ///   anything the relay listens (2.5 heartbeats) for another live process with this
    ///   source, and refuses to start if there is one.
    public init(
        database: ServiceDatabase, publisher: BusPublisher, source: String, replayEndpoint: String?,
        heartbeatInterval: Duration = .seconds(1), batchSize: Int = 1_000, health: HealthChecks? = nil,
        sameSourceWatch: BusSubscriber? = nil, metrics: ServiceMetrics? = nil, logger: Logger
    ) {
        self.metrics = metrics
        if let metrics {
            let progress = progress
            metrics.addCollector {
                for (stream, count) in progress.pending {
                    metrics.gauge(
                        "passerelle_relay_pending", labels: [("stream", stream)],
                        help: "Events committed to the outbox and not yet handed to the bus, per stream."
                    ).set(count)
                }
            }
        }
        self.sourceGuard = sameSourceWatch.map { SourceGuard(subscriber: $0, source: source) }
        self.health = health
        self.database = database
        self.publisher = publisher
        self.source = source
        self.replayEndpoint = replayEndpoint
        self.heartbeatInterval = heartbeatInterval
        self.batchSize = batchSize
        self.logger = logger
    }

    public func run() async throws {
        let commits = CommitSignal()
        // GRDB holds an `.observerLifetime` observer weakly: this reference keeps it alive
        // for as long as the relay runs.
        let observer = OutboxCommitObserver(signal: commits)
        database.pool.add(transactionObserver: observer, extent: .observerLifetime)
        defer { withExtendedLifetime(observer) {} }
        let stored = try await database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT stream, published FROM outbox_relay")
        }
        for row in stored { progress.set(row["stream"], row["published"]) }
        do {
            try await cancelWhenGracefulShutdown {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    if let sourceGuard {
                        // Silent while it listens: the newcomer, not the running process, must be
                        // the one that hears the other and stops.
                        group.addTask {
                            try await sourceGuard.watch(instance: instance, health: health, logger: logger)
                        }
                        // 2.5 heartbeats, and never under 2 s: the watch's own subscription must
                        // first reach the broker (a CURVE handshake on a loaded machine).
                        try await sourceGuard.probe(
                            instance: instance, for: max(heartbeatInterval * 5 / 2, .seconds(2)))
                    }
                    group.addTask { try await heartbeatLoop() }
                    group.addTask { try await relayLoop(commits) }
                    try await group.next()
                    group.cancelAll()
                }
            }
        } catch is CancellationError {
        } catch {
            // Refusing to start (source in use): close the sockets before saying why.
            await publisher.close()
            await sourceGuard?.subscriber.close()
            throw error
        }
        await publisher.close()
        await sourceGuard?.subscriber.close()
    }

    private func relayLoop(_ commits: CommitSignal) async throws {
        while !Task.isCancelled {
            do {
                let latest = try await publishPending()
                let published = progress.all
                let detail = latest.keys.sorted().map { "\($0): \(published[$0] ?? 0) of \(latest[$0] ?? 0) published" }
                health?.report("relay", .ok, detail.isEmpty ? "nothing to publish yet" : detail.joined(separator: "; "))
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                health?.report("relay", .degraded, "publishing failed: \(error)")
                logger.error("relay failed; retrying", metadata: ["error": "\(error)"])
            }
            // A commit rings at once; the timeout retries after a failure.
            await commits.wait(upTo: .seconds(1))
        }
    }

    /// Publishes what is committed and not yet published; returns the latest seq per stream.
    @discardableResult
    func publishPending() async throws -> [String: Int64] {
        let latest = try await database.pool.read { try Outbox.latest($0) }
        progress.setLatest(latest)
        for (stream, top) in latest.sorted(by: { $0.key < $1.key }) {
            var published = progress.published(stream)
            while published < top {
                let from = published + 1
                let rows = try await database.pool.read { db in
                    try Outbox.messages(stream: stream, from: from, limit: batchSize, db)
                }
                guard let last = rows.last else { break }
                for row in rows { try await publisher.publish(topic: row.topic, envelope: row.envelope) }
                record(rows, stream: stream)
                published = last.seq
                progress.set(stream, published)
                await afterSendBeforeCursorSave?(stream, published)
                let cursor = published
                try await database.pool.write { db in
                    try db.execute(
                        sql: """
                            INSERT INTO outbox_relay (stream, published) VALUES (?, ?)
                            ON CONFLICT(stream) DO UPDATE SET published = excluded.published
                            """,
                        arguments: [stream, cursor])
                }
            }
        }
        return latest
    }

    /// Counts what was handed to the bus, and how long after its commit.
    private func record(_ rows: [StoredMessage], stream: String) {
        guard let metrics else { return }
        metrics.counter(
            "passerelle_relay_published_total", labels: [("stream", stream)],
            help: "Outbox events handed to the bus, per stream (again after a restart: readers skip duplicates)."
        ).increment(by: Int64(rows.count))
        let lag = metrics.histogram(
            "passerelle_relay_lag_seconds", labels: [("stream", stream)],
            help: "Time from an event's commit to its hand-over to the bus, per stream.")
        let now = Timestamp.now.millisecondsSinceEpoch
        for row in rows { lag.record(.milliseconds(max(0, now - row.time.millisecondsSinceEpoch))) }
    }

    private func heartbeatLoop() async throws {
        while !Task.isCancelled {
            // Announce only what was handed to the socket, on the same socket: a subscriber
            // gets message N before the heartbeat that says N.
            let beat = Heartbeat(source: source, streams: progress.all, replay: replayEndpoint, instance: instance)
            let envelope = Envelope(source: source, seq: 0, event: .heartbeat(beat))
            try await publisher.publish(topic: envelope.type, envelope: envelope.encoded())
            try await Task.sleep(for: heartbeatInterval)
        }
    }
}

/// The last seq per stream handed to the bus socket, and the newest committed one seen.
final class RelayProgress: Sendable {
    private let state = Mutex<[String: Int64]>([:])
    private let committed = Mutex<[String: Int64]>([:])
    func published(_ stream: String) -> Int64 { state.withLock { $0[stream] ?? 0 } }
    func set(_ stream: String, _ seq: Int64) { state.withLock { $0[stream] = seq } }
    var all: [String: Int64] { state.withLock { $0 } }
    func setLatest(_ latest: [String: Int64]) { committed.withLock { $0 = latest } }
    /// Committed and not yet handed to the bus, per stream (in seqs).
    var pending: [String: Int64] {
        let published = all
        return committed.withLock { $0 }.reduce(into: [:]) { pending, entry in
            pending[entry.key] = max(0, entry.value - (published[entry.key] ?? 0))
        }
    }
}

/// A doorbell for one waiter: `ring()` from any thread; `wait(upTo:)` returns at the next
/// ring (or one that came since the last wait) or after the timeout.
///
/// Hand-made on a mutex and a continuation: an `AsyncStream` ends for good once a waiting
/// task is cancelled, which a timeout does.
final class CommitSignal: Sendable {
    private let state = Mutex<(rung: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))

    init() {}

    func ring() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.rung = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    func wait(upTo timeout: Duration) async {
        let timer = Task { [self] in
            try? await Task.sleep(for: timeout)
            if !Task.isCancelled { ring() }
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state -> Bool in
                    if state.rung {
                        state.rung = false
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            ring()  // shutting down: stop waiting now
        }
        timer.cancel()
    }
}

/// Rings the relay when a write transaction commits.
///
/// Every commit rings, not only those that inserted into `outbox`: SQLite reports no row
/// changes for WITHOUT ROWID tables (the outbox is one), and a spare wake-up costs one cheap
/// look at the latest seqs.
final class OutboxCommitObserver: TransactionObserver, @unchecked Sendable {
    let signal: CommitSignal

    init(signal: CommitSignal) { self.signal = signal }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { false }

    func databaseDidChange(with event: DatabaseEvent) {}

    func databaseDidCommit(_ db: Database) { signal.ring() }

    func databaseDidRollback(_ db: Database) {}
}
