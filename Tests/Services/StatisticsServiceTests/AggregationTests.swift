import GRDB
import Messages
import ServiceKit
import Testing

@testable import statistics

/// One case: events applied in order, and the cells expected after them ("k1 k2" → n; a
/// measure absent from `expected` is not checked, an empty dictionary means no cell at all).
struct AggregationCase: CustomTestStringConvertible, Sendable {
    let name: String
    let events: [Event]
    let expected: [Measure: [String: Int]]
    var testDescription: String { name }
}

let aggregationCases: [AggregationCase] = [
    AggregationCase(
        name: "an open offer: offers, positions, open and unmet positions",
        events: [.offerPublished(openOffer("o1", positions: 3))],
        expected: [
            .offers: ["ES 92": 1], .positions: ["ES 92": 3], .openPositions: ["ES 92": 3],
            .unmetPositions: ["ES 92": 3], .offersByContract: ["seasonal": 1],
        ]),
    AggregationCase(
        name: "a pending offer (never open) counts nothing",
        events: [
            .offerUpdated(
                {
                    var offer = openOffer("o1")
                    offer.status = .pending
                    offer.openedAt = nil
                    return offer
                }())
        ],
        expected: [.offers: [:], .positions: [:], .openPositions: [:]]),
    AggregationCase(
        name: "a closed offer still counts as an offer, no longer as open",
        events: [
            .offerPublished(openOffer("o1")),
            .offerClosed(
                {
                    var offer = openOffer("o1")
                    offer.status = .closed
                    return offer
                }()),
        ],
        expected: [.offers: ["ES 92": 1], .positions: ["ES 92": 3], .openPositions: [:], .unmetPositions: [:]]),
    AggregationCase(
        name: "candidates by region and gender, residence, age, occupation, education, language",
        events: [
            .candidateRegistered(person("c1")), .candidateRegistered(person("c2", region: "ML-1", gender: .male)),
        ],
        expected: [
            .candidates: ["ML-BKO F": 1, "ML-1 M": 1], .candidatesByResidence: ["ML": 2],
            .candidatesByAge: ["35-44": 2], .candidatesByOccupation: ["92": 2], .candidatesByEducation: ["2": 2],
            .candidatesByLanguage: ["fr": 2], .supply: ["92": 2], .funnel: ["registered": 2],
        ]),
    AggregationCase(
        name: "a candidate who refused statistics is not counted, nor are their matches",
        events: [
            .offerPublished(openOffer("o1")), .candidateRegistered(person("c1", statistics: false)),
            .matchFound(match("o1", "c1")),
        ],
        expected: [.candidates: [:], .matches: [:], .funnel: [:], .unmetPositions: ["ES 92": 3]]),
    AggregationCase(
        name: "a good match lowers unmet demand; a weak one does not",
        events: [
            .offerPublished(openOffer("o1")), .candidateRegistered(person("c1")), .candidateRegistered(person("c2")),
            .matchFound(match("o1", "c1", score: 80)), .matchFound(match("o1", "c2", score: 60)),
        ],
        expected: [
            .matches: ["ES 92": 2], .unmetPositions: ["ES 92": 2], .funnel: ["registered": 2, "matched": 2],
        ]),
    AggregationCase(
        name: "a match that arrives before its offer and candidate counts once they come",
        events: [
            .matchFound(match("o1", "c1")), .candidateRegistered(person("c1")), .offerPublished(openOffer("o1")),
        ],
        expected: [.matches: ["ES 92": 1], .unmetPositions: ["ES 92": 2], .funnel: ["registered": 1, "matched": 1]]),
    AggregationCase(
        name: "a withdrawn match is taken back",
        events: [
            .offerPublished(openOffer("o1")), .candidateRegistered(person("c1")), .matchFound(match("o1", "c1")),
            .matchWithdrawn(match("o1", "c1")),
        ],
        expected: [.matches: [:], .unmetPositions: ["ES 92": 3], .funnel: ["registered": 1]]),
    AggregationCase(
        name: "notification and replies: by destination and trade, and the funnel",
        events: [
            .offerPublished(openOffer("o1")), .candidateRegistered(person("c1")), .matchFound(match("o1", "c1")),
            .notificationSent(
                NotificationEvent(
                    notificationId: "n1", candidateId: "c1", offerId: "o1", channel: "kannel", template: "match",
                    attempt: 1)),
            .notificationReply(
                NotificationReply(
                    candidateId: "c1", offerId: "o1", intent: .interested, channel: "sms", receivedAt: .march2027)),
            .notificationReply(
                NotificationReply(
                    candidateId: "c1", offerId: nil, intent: .stop, channel: "sms", receivedAt: .march2027)),
        ],
        expected: [
            .notificationsSent: ["ES 92": 1], .repliesInterested: ["ES 92": 1], .repliesStop: ["": 1],
            .funnel: ["registered": 1, "matched": 1, "notified": 1, "interested": 1],
        ]),
    AggregationCase(
        name: "consent to statistics withdrawn: every count about the person goes",
        events: [
            .offerPublished(openOffer("o1")), .candidateRegistered(person("c1")), .matchFound(match("o1", "c1")),
            .candidateUpdated(person("c1", statistics: false)),
        ],
        expected: [.candidates: [:], .matches: [:], .funnel: [:], .supply: [:], .unmetPositions: ["ES 92": 3]]),
    AggregationCase(
        name: "erasure: every count about the person goes",
        events: [
            .offerPublished(openOffer("o1")), .candidateRegistered(person("c1")), .matchFound(match("o1", "c1")),
            .notificationSent(
                NotificationEvent(
                    notificationId: "n1", candidateId: "c1", offerId: "o1", channel: "kannel", template: "match",
                    attempt: 1)),
            .candidateErased(CandidateErased(candidateId: "c1")),
        ],
        expected: [
            .candidates: [:], .matches: [:], .notificationsSent: [:], .funnel: [:], .unmetPositions: ["ES 92": 3],
        ]),
    AggregationCase(
        name: "a withdrawn candidate stays registered but is no longer available",
        events: [.candidateRegistered(person("c1")), .candidateWithdrawn(person("c1"))],
        expected: [.candidates: ["ML-BKO F": 1], .supply: [:]]),
    AggregationCase(
        name: "an offer moved to another country moves its matches",
        events: [
            .offerPublished(openOffer("o1")), .candidateRegistered(person("c1")), .matchFound(match("o1", "c1")),
            .offerUpdated(openOffer("o1", country: "FR")),
        ],
        expected: [.matches: ["FR 92": 1], .offers: ["FR 92": 1], .unmetPositions: ["FR 92": 2]]),
]

@Suite("statistics: events become counts, and counts follow every change")
struct AggregationTests {
    @Test("cells after a table of events", arguments: aggregationCases)
    func cells(_ example: AggregationCase) async throws {
        let under = try StatisticsUnderTest()
        try await under.apply(example.events)
        for (measure, expected) in example.expected {
            #expect(try await under.cells(measure) == expected, "\(measure)")
        }
        let (stored, recomputed) = try await under.storedAndRecomputed()
        #expect(stored == recomputed, "the stored cells drifted from the records")
    }

    @Test("the same events in any order of streams give the same cells (a rebuild arrives at the same numbers)")
    func orderDoesNotMatter() async throws {
        var offers: [Event] = []
        var candidates: [Event] = []
        var matches: [Event] = []
        for n in 0..<12 {
            offers.append(
                .offerPublished(openOffer("o\(n)", country: ["ES", "FR", "CA"][n % 3], positions: n % 4 + 1)))
        }
        for n in 0..<40 {
            candidates.append(
                .candidateRegistered(
                    person(
                        "c\(n)", region: ["ML-BKO", "ML-1", "ML-2"][n % 3], gender: n % 2 == 0 ? .female : .male,
                        statistics: n % 7 != 0)))
            matches.append(.matchFound(match("o\(n % 12)", "c\(n)", score: 50 + n)))
        }
        candidates.append(.candidateErased(CandidateErased(candidateId: "c3")))
        matches.append(.matchWithdrawn(match("o5", "c5")))
        let orders: [[[Event]]] = [
            [offers, candidates, matches], [matches, candidates, offers], [candidates, matches, offers],
        ]
        var results: [[Cell: Int]] = []
        for order in orders {
            let under = try StatisticsUnderTest()
            for stream in order { try await under.apply(stream) }
            let (stored, recomputed) = try await under.storedAndRecomputed()
            #expect(stored == recomputed)
            results.append(stored)
        }
        #expect(!results[0].isEmpty)
        #expect(results.allSatisfy { $0 == results[0] })
    }

    @Test("months come from the records, not from when the event was read")
    func months() async throws {
        let under = try StatisticsUnderTest()
        try await under.apply(.offerPublished(openOffer("o1")), .candidateRegistered(person("c1")), at: .april2027)
        let monthly = try await under.database.pool.read { db in
            (
                try StatisticsStore.monthly(.offers, from: "0000-00", to: "9999-99", db),
                try StatisticsStore.monthly(.candidates, from: "0000-00", to: "9999-99", db)
            )
        }
        #expect(monthly.0 == ["2027-03": 1])
        #expect(monthly.1 == ["2027-03": 1])
        #expect(Month.of(Timestamp(millisecondsSinceEpoch: 0)) == "1970-01")
        #expect(Month.of(.april2027) == "2027-04")
        #expect(Month.of(Timestamp(millisecondsSinceEpoch: 951_782_400_000)) == "2000-02")  // 2000-02-29
    }
}
