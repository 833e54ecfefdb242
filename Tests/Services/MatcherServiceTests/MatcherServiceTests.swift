import Foundation
import GRDB
import HTTPTypes
import Logging
import Matching
import Messages
import ServiceKit
import ServiceTesting
import Synchronization
import Testing

@testable import matcher

/// A matcher on a fresh store, applying events the way its inbox does: one write
/// transaction per event.
struct MatcherUnderTest {
    let database: ServiceDatabase
    let matcher: Matcher
    private let source = Counter()

    /// - Parameter directory: a data folder to share (a ``ServiceUnderTest``'s), or a fresh one.
    init(policy: KeepPolicy = KeepPolicy(), directory: String? = nil) throws {
        database = try ServiceDatabase(
            directory: directory
                ?? FileManager.default.temporaryDirectory.appendingPathComponent("matcher-\(UUID().uuidString)").path,
            name: "matcher"
        ) { MatcherStore.migrate(&$0) }
        matcher = Matcher(
            rules: .standard, outbox: Outbox(source: "matcher"), policy: policy, logger: Logger(label: "matcher"))
    }

    final class Counter: Sendable {
        private let seq = Mutex<Int64>(0)
        func next() -> Int64 {
            seq.withLock { seq in
                seq += 1
                return seq
            }
        }
    }

    func apply(_ event: Event) async throws {
        let envelope = Envelope(source: "registry", seq: source.next(), event: event)
        try await database.pool.write { db in try matcher.apply(envelope, db) }
    }

    /// What the matcher published: topic and candidate, in order.
    func published() async throws -> [String] {
        try await database.pool.read { db in
            try Outbox.messages(stream: "match", from: 1, limit: 1_000, db).map { row in
                let envelope = try Envelope.decode(bytes: row.envelope)
                guard case .matchFound(let match) = envelope.payload else {
                    if case .matchWithdrawn(let match) = envelope.payload { return "withdrawn \(match.candidateId)" }
                    return envelope.type
                }
                return "found \(match.candidateId)"
            }
        }
    }

    func kept(offer: String) async throws -> [String] {
        try await database.pool.read { db in try MatcherStore.matches(offer: offer, db).map(\.candidateId) }
    }
}

@Suite("matcher in-process: Matcher.apply on a real store, settings, routes")
struct MatcherServiceTests {
    @Test("an offer and a fitting candidate make match.found; a candidate of another trade does not")
    func matchFound() async throws {
        let under = try MatcherUnderTest()
        try await under.apply(.offerPublished(.sample(id: "offer-1")))
        try await under.apply(.candidateRegistered(.sample("fits")))
        try await under.apply(.candidateRegistered(.sample("cook", occupations: ["5120"])))
        #expect(try await under.published() == ["found fits"])
        #expect(try await under.kept(offer: "offer-1") == ["fits"])
    }

    @Test("erasure withdraws the person's matches and forgets them; closing an offer withdraws the rest")
    func erasureAndClosing() async throws {
        let under = try MatcherUnderTest()
        try await under.apply(.offerPublished(.sample(id: "offer-1")))
        try await under.apply(.candidateRegistered(.sample("a")))
        try await under.apply(.candidateRegistered(.sample("b")))
        try await under.apply(.candidateErased(CandidateErased(candidateId: "a")))
        #expect(try await under.kept(offer: "offer-1") == ["b"])
        var closed = Offer.sample(id: "offer-1")
        closed.status = .closed
        try await under.apply(.offerClosed(closed))
        #expect(try await under.kept(offer: "offer-1") == [])
        #expect(try await under.published() == ["found a", "found b", "withdrawn a", "withdrawn b"])
    }

    @Test("an offer keeps positions × keepPerPosition candidates; a better one takes the weakest place")
    func keepPolicy() async throws {
        let under = try MatcherUnderTest(policy: KeepPolicy(keepPerPosition: 1, maxPerOffer: 10))
        try await under.apply(.offerPublished(.sample(id: "offer-1", positions: 1)))
        try await under.apply(.candidateRegistered(.sample("weak", experience: 0)))
        try await under.apply(.candidateRegistered(.sample("strong", experience: 8)))
        #expect(try await under.kept(offer: "offer-1") == ["strong"])
        #expect(try await under.published() == ["found weak", "withdrawn weak", "found strong"])
    }

    @Test("settings out of range or unknown rules are refused, naming the key")
    func settings() async throws {
        for (key, value, says) in [
            ("matching.threshold", "150", "0 to 100"), ("matching.rules", "languages=15,astrology=3", "astrology"),
            ("matching.keepPerPosition", "0", "1 to 1000"), ("matching.rules", "languages", "rule=weight"),
        ] {
            await #expect {
                _ = try await ServiceUnderTest(MatcherCommand.self, settings: [key: value])
            } throws: { error in
                "\(error)".contains(key) && "\(error)".contains(says)
            }
        }
    }

    @Test("GET /matches needs exactly one of offer and candidate, and knows no other parameter")
    func routes() async throws {
        let service = try await ServiceUnderTest(MatcherCommand.self)
        try await service.withClient { client in
            #expect(try await client.send(.get, "/matches?offer=o-1").json?["matches"] == [])
            let both = try await client.send(.get, "/matches?offer=o-1&candidate=c-1")
            #expect(both.status == .badRequest && both.json?["error"]?["field"] == "candidate")
            let typo = try await client.send(.get, "/matches?ofer=o-1")
            #expect(typo.status == .badRequest && typo.json?["error"]?["field"] == "ofer")
        }
    }
}
