import GRDB
import Messages
import ServiceKit
import Synchronization

/// Finishes erasures: once the relay has published an erased person's last `match.*` event,
/// deletes the person's `match.*` outbox rows (replay then says they are gone) and
/// checkpoints the WAL (TRUNCATE), so that the id stays in no file; `secure_delete` zeroes
/// the freed bytes. Runs every 200 ms while erasures wait.
final class ErasureRedaction: Sendable {
    let database: ServiceDatabase
    let matcher: Matcher
    let checkpoint: ErasureCheckpoint
    /// Erasures wait; true at start, as one may have been left half done.
    private let pending = Mutex(true)

    init(database: ServiceDatabase, matcher: Matcher, checkpoint: ErasureCheckpoint) {
        self.database = database
        self.matcher = matcher
        self.checkpoint = checkpoint
    }

    /// One round: finishes every erasure whose events the relay has published.
    func round() async throws {
        let due = matcher.takeErasureFlag()
        let waitingBefore = pending.withLock { pending in
            pending = pending || due
            return pending
        }
        guard waitingBefore else { return }
        let (finished, waiting) = try await database.pool.write { db in
            let finished = try MatcherStore.redactPublished(stream: Topic.stream(of: Topic.matchFound), db) {
                Matcher.redacted($0.payload)
            }
            return (finished, try MatcherStore.pendingRedactions(db))
        }
        pending.withLock { $0 = waiting > 0 }
        if finished > 0 { await checkpoint.afterErasure() }
    }

    var service: PeriodicService {
        PeriodicService("erasure redaction", every: .milliseconds(200), atStart: false, logger: matcher.logger) {
            try await self.round()
        }
    }
}
