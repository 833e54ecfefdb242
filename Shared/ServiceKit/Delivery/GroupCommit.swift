import GRDB

/// Write transactions of concurrent requests committed together: the requests waiting when
/// a commit starts share the next SQLite transaction, and so one fsync, each in its own
/// savepoint, so that one request's failure rolls back only its own changes.
///
/// With `synchronous=FULL` every commit waits for the disk; a registry fed by an import
/// that sends eight requests at a time would otherwise wait for eight fsyncs where one does.
/// A request that arrives alone is committed at once, as with `pool.write`.
public actor GroupCommit {
    private struct Pending: Sendable {
        let work: @Sendable (Database) throws -> any Sendable
        let continuation: CheckedContinuation<any Sendable, any Error>
    }

    private let database: ServiceDatabase
    private var waiting: [Pending] = []
    private var flushing = false
    /// Transactions committed and requests they carried, for tests and metrics.
    public private(set) var transactions = 0
    public private(set) var requests = 0

    public init(database: ServiceDatabase) { self.database = database }

    /// Runs `work` in a savepoint of the next group transaction; returns once it is committed.
    public func write<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let value = try await withCheckedThrowingContinuation { continuation in
            waiting.append(Pending(work: { try work($0) }, continuation: continuation))
            if !flushing {
                flushing = true
                Task { await self.flush() }
            }
        }
        guard let typed = value as? T else { preconditionFailure("GroupCommit returned a \(type(of: value))") }
        return typed
    }

    private func flush() async {
        while !waiting.isEmpty {
            let batch = waiting
            waiting = []
            var outcomes: [Result<any Sendable, any Error>]
            do {
                outcomes = try await database.pool.write { db in
                    var outcomes: [Result<any Sendable, any Error>] = []
                    for item in batch {
                        var value: (any Sendable)?
                        do {
                            try db.inSavepoint {
                                value = try item.work(db)
                                return .commit
                            }
                            outcomes.append(.success(value!))
                        } catch {
                            outcomes.append(.failure(error))
                        }
                    }
                    return outcomes
                }
            } catch {
                // The commit itself failed: nothing of the batch is stored.
                outcomes = batch.map { _ in .failure(error) }
            }
            transactions += 1
            requests += batch.count
            for (item, outcome) in zip(batch, outcomes) { item.continuation.resume(with: outcome) }
        }
        flushing = false
    }
}
