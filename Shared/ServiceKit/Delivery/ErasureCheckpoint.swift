import Logging
import Prometheus
import ServiceLifecycle
import Synchronization

/// Finishes an erasure on disk when the WAL checkpoint right after it cannot complete.
///
/// Erasure deletes the person's rows (`secure_delete` zeroes them in the database file), but
/// the pages written before stay in the `-wal` file until a TRUNCATE checkpoint, which a
/// reader still using the WAL (a long replay, a backup, an officer's query) holds back. The
/// erasure is committed and answered at once; this service retries the checkpoint, with
/// back-off, until it completes, and reports the erasures still waiting in `/health`
/// (degraded) and `/metrics` (`passerelle_erasures_waiting_checkpoint`).
public final class ErasureCheckpoint: Service, Sendable {
    private let database: ServiceDatabase
    private let health: HealthChecks
    private let logger: Logger
    private let backOff: ClosedRange<Duration>
    /// Erasures committed whose checkpoint has not completed yet.
    private let waiting = Mutex(0)
    private let wake = CommitSignal()

    /// - Parameter backOff: the first wait between two tries, and the longest.
    public init(
        database: ServiceDatabase, context: ServiceContext,
        backOff: ClosedRange<Duration> = .milliseconds(50) ... .seconds(5)
    ) {
        self.database = database
        health = context.health
        logger = context.logger
        self.backOff = backOff
        let gauge = context.metrics.gauge(
            "passerelle_erasures_waiting_checkpoint",
            help: "Erasures committed whose WAL checkpoint has not completed yet (see /health).")
        context.metrics.addCollector { [weak self] in gauge.set(Int64(self?.count ?? 0)) }
        report(0)
    }

    /// Erasures committed whose checkpoint has not completed yet.
    public var count: Int { waiting.withLock { $0 } }

    private let checkedAtStart = Mutex(false)

    /// The first checkpoint, before the service serves anything: a process that stopped (or
    /// crashed) may have left an erasure in the WAL; if it cannot complete, it is retried like
    /// an erasure's. Done here rather than when `run` starts, so that a reader opened after
    /// the service is up is never mistaken for that leftover (it was, under load: two
    /// erasures said to wait for one).
    public func checkAtStart() async {
        checkedAtStart.withLock { $0 = true }
        if (try? await checkpoint()) != true {
            report(
                waiting.withLock { waiting in
                    waiting += 1
                    return waiting
                })
        }
    }

    /// Checkpoints after an erasure that has just committed; when a reader holds the
    /// checkpoint back (or it fails), the erasure waits and the checkpoint is retried in the
    /// background. Never throws: the erasure is committed, and is answered as such.
    public func afterErasure() async {
        if (try? await database.truncateWAL()) == true { return }
        let count = waiting.withLock { count in
            count += 1
            return count
        }
        report(count)
        logger.warning(
            "WAL checkpoint after erasure held back by a reader; retrying until it completes",
            metadata: ["waiting": "\(count)"])
        wake.ring()
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                var delay = self.backOff.lowerBound
                // A process that stopped (or crashed) may have left an erasure in the WAL: if
                // the first checkpoint cannot complete, it is retried like an erasure's (unless
                // `checkAtStart` did it already).
                if !self.checkedAtStart.withLock({ $0 }), try await !self.checkpoint() {
                    self.report(
                        self.waiting.withLock { waiting in
                            waiting += 1
                            return waiting
                        })
                }
                while true {
                    let count = self.count
                    guard count > 0 else {
                        delay = self.backOff.lowerBound
                        await self.wake.wait(upTo: .seconds(60))
                        try Task.checkCancellation()
                        continue
                    }
                    try await Task.sleep(for: delay)
                    if try await self.checkpoint() {
                        let left = self.waiting.withLock { waiting in
                            waiting -= count
                            return waiting
                        }
                        self.report(left)
                        self.logger.info("WAL checkpoint after erasure completed", metadata: ["erasures": "\(count)"])
                        delay = self.backOff.lowerBound
                    } else {
                        delay = min(delay * 2, self.backOff.upperBound)
                    }
                }
            }
        } catch is CancellationError {}
    }

    /// One try; a failure other than a reader in the way is logged and tried again later.
    private func checkpoint() async throws -> Bool {
        do {
            return try await database.truncateWAL(attempts: 1)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            logger.error("WAL checkpoint after erasure failed; retrying", metadata: ["error": "\(error)"])
            return false
        }
    }

    private func report(_ count: Int) {
        if count == 0 {
            health.report("erasure", .ok, "aucun effacement en attente / no erasure waiting")
        } else {
            let plural = count > 1 ? "s" : ""
            health.report(
                "erasure", .degraded,
                "\(count) effacement\(plural) en attente du point de contrôle WAL / "
                    + "\(count) erasure\(plural) waiting for the WAL checkpoint")
        }
    }
}

/// A flag the inbox handler sets (it cannot wait for a checkpoint inside its transaction) and
/// a periodic job takes.
public final class ErasureFlag: Sendable {
    public init() {}
    private let flag = Mutex(false)
    public func set() { flag.withLock { $0 = true } }
    public func take() -> Bool {
        flag.withLock { flag in
            defer { flag = false }
            return flag
        }
    }
}
