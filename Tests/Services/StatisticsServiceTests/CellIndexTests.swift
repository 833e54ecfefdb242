import GRDB
import Messages
import ServiceKit
import Testing

@testable import statistics

@Suite("statistics-v2: the index on cells by category changes how tables are read, not what they say")
struct CellIndexTests {
    /// Offers, people, matches, notifications and replies over five months, in four countries,
    /// three trades and three regions, with a few people of each kind so that the public view
    /// hides some cells.
    func filledStore() async throws -> StatisticsUnderTest {
        let under = try StatisticsUnderTest()
        let months = (0..<5).map { Timestamp(millisecondsSinceEpoch: 1_800_000_000_000 + Int64($0) * 2_678_400_000) }
        let countries = ["ES", "FR", "CA", "QA"]
        let trades = ["9211", "7112", "5120"]
        for n in 0..<20 {
            var offer = openOffer(
                "o\(n)", country: countries[n % 4], occupation: trades[n % 3], positions: n % 5 + 1)
            offer.openedAt = months[n % 5]
            try await under.apply([.offerPublished(offer)], at: months[n % 5])
        }
        for n in 0..<120 {
            var profile = person(
                "c\(n)", region: ["ML-BKO", "ML-1", "ML-2"][n % 3],
                gender: n % 17 == 0 ? .unspecified : n % 2 == 0 ? .female : .male, statistics: n % 9 != 0,
                occupation: trades[n % 3])
            profile.registeredAt = months[n % 5]
            try await under.apply([.candidateRegistered(profile)], at: months[n % 5])
        }
        for n in 0..<90 {
            let time = months[(n / 3) % 5]
            let found = match("o\(n % 20)", "c\(n)", score: 40 + n % 60)
            var events: [Event] = [.matchFound(found)]
            if n % 2 == 0 {
                events.append(
                    .notificationSent(
                        NotificationEvent(
                            notificationId: "n\(n)", candidateId: found.candidateId, offerId: found.offerId,
                            channel: "spool", template: "match")))
            }
            if n % 4 == 0 {
                events.append(
                    .notificationReply(
                        NotificationReply(
                            candidateId: found.candidateId, offerId: found.offerId,
                            intent: [ReplyIntent.interested, .declined, .stop][n % 3], channel: "spool",
                            receivedAt: time)))
            }
            try await under.apply(events, at: time)
        }
        return under
    }

    /// Every table in both views and the summary, over the whole period and over three months.
    func everything(_ reader: StatsReader) async throws -> [String] {
        var answers: [String] = []
        for period in [Period.all, Period(from: "2027-02", to: "2027-04")] {
            for view in [View.exact, .public(threshold: 5)] {
                for dimension in Dimension.allCases {
                    let table = try await reader.table(dimension, view: view, period: period)
                    answers.append("\(table)")
                }
                let summary = try await reader.summary(view: view, period: period)
                answers.append("\(summary.figures.map { "\($0.key) \($0.value)" }) \(summary.funnel.map(\.value))")
            }
        }
        return answers
    }

    @Test("every table and the summary are the same with and without the index, and the index is used")
    func sameTables() async throws {
        let under = try await filledStore()
        let reader = StatsReader(database: under.database, threshold: 5)
        let plan = try await under.database.pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    EXPLAIN QUERY PLAN SELECT k1, k2, SUM(n) AS n FROM cells WHERE measure = ?
                    AND month BETWEEN ? AND ? GROUP BY k1, k2
                    """, arguments: ["matches", Period.all.from, Period.all.to]
            ).map { $0["detail"] as String }
        }
        #expect(plan.contains { $0.contains("cells_by_category") }, "\(plan)")
        #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(plan)")
        let indexed = try await everything(reader)
        let published = try await reader.table(.regionGender, view: .public(threshold: 5), period: .all)
        #expect(published.rows.contains { $0.values.contains(.fewer) }, "the public view hides some cells")
        try await under.database.pool.write { db in try db.execute(sql: "DROP INDEX cells_by_category") }
        let scanned = try await everything(reader)
        #expect(indexed.count == scanned.count && indexed.count == 2 * 2 * (Dimension.allCases.count + 1))
        for (with, without) in zip(indexed, scanned) { #expect(with == without) }
        let (stored, recomputed) = try await under.storedAndRecomputed()
        #expect(stored == recomputed)
    }
}
