import GRDB
import Logging
import Messages

extension Inbox {
    /// Applies the dead letters this build can now read and apply (after an upgrade, say),
    /// oldest first, each in its own transaction; keeps the others. Returns how many it applied.
    @discardableResult
    public func retryDeadLetters() async throws -> Int {
        let handler = handler
        let letters = try await database.pool.read { db in try DeadLetters.all(db) }
        var done = 0
        for letter in letters {
            guard let envelope = try? Envelope.decode(topic: letter.topic, bytes: letter.envelope) else { continue }
            let applied: Bool = try await database.pool.write { db in
                do {
                    try db.inSavepoint {
                        try handler(envelope, db)
                        return .commit
                    }
                } catch let error as DatabaseError where DeadLetters.isTransient(error) {
                    throw error
                } catch {
                    try DeadLetters.setReason(letter, "\(error)", db)
                    return false
                }
                try DeadLetters.delete(letter, db)
                return true
            }
            if applied { done += 1 }
        }
        let remaining = try await database.pool.read { db in try DeadLetters.count(db) }
        deadLetters.set(remaining)
        if done > 0 {
            logger.notice("dead letters applied", metadata: ["applied": "\(done)", "remaining": "\(remaining)"])
        }
        reportHealth()
        return done
    }
}
