import Foundation
import GRDB
import Logging
import Messages
import ServiceKit
import ServiceTesting
import Synchronization
import Testing

@testable import notifier

/// A channel that holds every message until `release()`, then refuses it: the notifier
/// stopped (as far as the store can tell) while a message was with the channel.
final class StallingChannel: NotificationChannel {
    let name = "kannel"
    private let gate: AsyncStream<Void>
    private let opener: AsyncStream<Void>.Continuation

    init() { (gate, opener) = AsyncStream<Void>.makeStream() }

    func release() { opener.finish() }

    func send(_ message: OutgoingMessage) async throws -> String? {
        for await _ in gate {}
        throw ChannelError(description: "the process died")
    }
}

/// A channel that may or may not recognise a message handed over twice.
final class CountingChannel: NotificationChannel {
    let name: String
    let recognisesRepeats: Bool
    let sent = Mutex<[String]>([])

    init(name: String, recognisesRepeats: Bool) { (self.name, self.recognisesRepeats) = (name, recognisesRepeats) }

    func send(_ message: OutgoingMessage) async throws -> String? {
        sent.withLock { $0.append(message.id) }
        return nil
    }
}

/// A channel whose gateway reports delivery before `send` returns (Kannel's DLR can).
final class EagerReportChannel: NotificationChannel {
    let name = "kannel"
    let notifier = Mutex<Notifier?>(nil)

    func send(_ message: OutgoingMessage) async throws -> String? {
        try await notifier.withLock { $0 }?.delivered(message.id, kannelStatus: 1)
        return "accepted"
    }
}

@Suite("notifier dispatch in batches: interrupted sends and early delivery reports")
struct DispatchBatchTests {
    /// Runs a round on a stalling channel until the message is `sending`, and returns it unfinished.
    func interrupted(_ under: NotifierUnderTest, _ stalling: StallingChannel) async throws -> Task<Int, any Error> {
        try await seed(under)
        try await under.apply(.matchFound(Match(offerId: "offer-1", candidateId: "cand-1", score: 80, breakdown: [])))
        let round = Task { try await under.dispatcher.round() }
        try await waitUntil("the message is with the channel", timeout: .seconds(10)) {
            try await under.status(ofMessageTo: "cand-1") == ["sending"]
        }
        return round
    }

    @Test("interrupted while with a channel that recognises repeats: sent again, once")
    func interruptedResent() async throws {
        let stalling = StallingChannel()
        let under = try NotifierUnderTest(channel: stalling)
        let first = try await interrupted(under, stalling)
        let spool = CountingChannel(name: "spool", recognisesRepeats: true)
        let restarted = under.restarted(channel: spool)
        let recovered = try await restarted.recoverInterrupted()
        #expect(recovered.again == 1 && recovered.failed == 0)
        #expect(try await restarted.round() == 1)
        // The first notifier's send ends after all: it must not undo what the restart did.
        stalling.release()
        #expect(try await first.value == 0)
        #expect(spool.sent.withLock { $0.count } == 1)
        #expect(try await under.status(ofMessageTo: "cand-1") == ["sent"])
        #expect(try await under.published() == ["sent match cand-1"])
    }

    @Test("interrupted while with Kannel: recorded failed once, never a second SMS")
    func interruptedNotResent() async throws {
        let stalling = StallingChannel()
        let under = try NotifierUnderTest(channel: stalling)
        let first = try await interrupted(under, stalling)
        let kannel = CountingChannel(name: "kannel", recognisesRepeats: false)
        let restarted = under.restarted(channel: kannel)
        let recovered = try await restarted.recoverInterrupted()
        #expect(recovered.again == 0 && recovered.failed == 1)
        #expect(try await restarted.round() == 0)
        #expect(try await restarted.recoverInterrupted() == (again: 0, failed: 0))
        stalling.release()
        #expect(try await first.value == 0)
        #expect(kannel.sent.withLock { $0.isEmpty })
        #expect(try await under.status(ofMessageTo: "cand-1") == ["failed"])
        #expect(try await under.published() == ["failed match attempt 1"])
    }

    @Test("a delivery report before the send is recorded: delivered stays, notification.sent is published")
    func earlyReport() async throws {
        let eager = EagerReportChannel()
        let under = try NotifierUnderTest(channel: eager)
        eager.notifier.withLock { $0 = under.notifier }
        try await seed(under)
        try await under.apply(.matchFound(Match(offerId: "offer-1", candidateId: "cand-1", score: 80, breakdown: [])))
        #expect(try await under.dispatcher.round() == 1)
        #expect(try await under.status(ofMessageTo: "cand-1") == ["delivered"])
        #expect(try await under.published() == ["sent match cand-1"])
    }

    @Test("erased while with the channel: nothing published about the person")
    func erasedMeanwhile() async throws {
        let stalling = StallingChannel()
        let under = try NotifierUnderTest(channel: stalling)
        let round = try await interrupted(under, stalling)
        try await under.apply(.candidateErased(CandidateErased(candidateId: "cand-1")))
        stalling.release()
        #expect(try await round.value == 0)
        #expect(try await under.published() == [])
        #expect(try await under.status(ofMessageTo: "cand-1") == [])
    }
}
