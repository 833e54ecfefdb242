import Foundation
import GRDB
import Messages
import ServiceKit
import ServiceTesting

@testable import statistics

/// The statistics store on a fresh file, fed envelopes the way its inbox does.
struct StatisticsUnderTest {
    let database: ServiceDatabase
    let aggregator: Aggregator
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("statistics-\(UUID().uuidString)")
        .path
    private let counter = Counter()

    init(goodScore: Int = 70) throws {
        database = try ServiceDatabase(directory: directory, name: "statistics") { StatisticsStore.migrate(&$0) }
        aggregator = Aggregator(contributions: Contributions(goodScore: goodScore))
    }

    /// Applies `events` from `source`, each at `time` (default: March 2027).
    func apply(_ events: [Event], source: String = "bus", at time: Timestamp = .march2027) async throws {
        for event in events {
            let envelope = Envelope(source: source, seq: counter.next(), time: time, event: event)
            try await database.pool.write { db in try aggregator.apply(envelope, db) }
        }
    }

    func apply(_ events: Event..., at time: Timestamp = .march2027) async throws {
        try await apply(events, at: time)
    }

    /// One measure's cells, summed over months: "k1 k2" → n (k2 left out when empty).
    func cells(_ measure: Measure) async throws -> [String: Int] {
        try await database.pool.read { db in
            var cells: [String: Int] = [:]
            for (key, n) in try StatisticsStore.sums(measure, from: "0000-00", to: "9999-99", db) {
                cells[key.k2.isEmpty ? key.k1 : "\(key.k1) \(key.k2)"] = n
            }
            return cells
        }
    }

    /// Every stored cell and every cell recomputed from the records: equal unless a count drifted.
    func storedAndRecomputed() async throws -> (stored: [Cell: Int], recomputed: [Cell: Int]) {
        try await database.pool.read { db in (try StatisticsStore.allCells(db), try aggregator.recomputed(db)) }
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value: Int64 = 0
        func next() -> Int64 {
            lock.lock()
            defer { lock.unlock() }
            value += 1
            return value
        }
    }
}

extension Timestamp {
    /// 2027-03-06 12:00 UTC.
    static let march2027 = Timestamp(millisecondsSinceEpoch: 1_804_334_400_000)
    /// 2027-04-06 12:00 UTC.
    static let april2027 = Timestamp(millisecondsSinceEpoch: 1_807_012_800_000)
}

/// An open offer in `country` for `occupation`, opened in March 2027.
func openOffer(_ id: String, country: String = "ES", occupation: String = "9211", positions: Int = 3) -> Offer {
    var offer = Offer.sample(id: id, positions: positions)
    offer.country = country
    offer.occupation = occupation
    offer.status = .open
    offer.openedAt = .march2027
    return offer
}

/// A candidate from `region`, consenting to statistics unless told otherwise.
func person(
    _ id: String, region: String = "ML-BKO", gender: Gender = .female, statistics: Bool = true,
    occupation: String = "9211"
) -> CandidateProfile {
    var profile = CandidateProfile.sample(id, occupations: [occupation])
    profile.region = region
    profile.gender = gender
    profile.consent.statistics = statistics
    profile.registeredAt = .march2027
    return profile
}

func match(_ offer: String, _ candidate: String, score: Int = 80) -> Match {
    Match(offerId: offer, candidateId: candidate, score: Double(score), breakdown: [])
}
