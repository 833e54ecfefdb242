import Foundation
import GRDB
import Messages
import Testing

@testable import ServiceKit

@Suite("The relay's doorbell: a commit wakes it at once, a timeout does not break it", .timeLimit(.minutes(1)))
struct CommitSignalTests {
    @Test("after a wait that timed out, the next wait still waits; a ring ends it")
    func waitsAfterTimeout() async throws {
        let signal = CommitSignal()
        await signal.wait(upTo: .milliseconds(50))  // times out
        let clock = ContinuousClock()
        let idle = await clock.measure { await signal.wait(upTo: .milliseconds(300)) }
        #expect(idle >= .milliseconds(250), "a second wait must not return at once (it took \(idle))")
        signal.ring()
        let rung = await clock.measure { await signal.wait(upTo: .seconds(30)) }
        #expect(rung < .seconds(5), "a ring that came before the wait ends it (it took \(rung))")
    }

    @Test("a commit that inserts into the outbox rings the relay's observer, for as long as the relay holds it")
    func commitRings() async throws {
        let database = try ServiceDatabase(directory: temporaryDirectory(), name: "signal")
        let signal = CommitSignal()
        let observer = OutboxCommitObserver(signal: signal)
        database.pool.add(transactionObserver: observer, extent: .observerLifetime)
        await signal.wait(upTo: .milliseconds(20))  // a timed-out wait first, as in the relay's loop
        try await database.pool.write { db in try Outbox(source: "t").append(sampleEvent(1), in: db) }
        let clock = ContinuousClock()
        let woken = await clock.measure { await signal.wait(upTo: .seconds(30)) }
        #expect(woken < .seconds(5), "the commit rang (wait took \(woken))")
        withExtendedLifetime(observer) {}
    }
}
