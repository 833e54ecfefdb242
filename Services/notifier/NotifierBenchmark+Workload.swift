import Bus
import Foundation
import GRDB
import Logging
import Messages
import ServiceKit

/// What `notifier bench` feeds: open offers with references, candidates who consent to
/// notifications and prefer SMS, and `match.found` envelopes for distinct (offer, candidate)
/// pairs, encoded once as they come off the bus (topic and envelope bytes).
struct BenchWorkload: Sendable {
    static let offers = 200
    static let source = "matcher"
    static let stream = Topic.stream(of: Topic.matchFound)

    let candidates: Int
    /// `match.found`, seq 1…N from one source: a prefix of it is a smaller run.
    let messages: [BusMessage]

    init(events: Int, candidates: Int) {
        self.candidates = candidates
        messages = (0..<events).map { index in
            let envelope = Envelope(
                source: Self.source, seq: Int64(index + 1), event: .matchFound(Self.match(index, candidates)))
            return BusMessage(topic: envelope.type, envelope: envelope.encoded())
        }
    }

    /// Match `index`: candidate `index % candidates`, and for the k-th lap over the candidates
    /// an offer shifted by the candidate's number, so that every offer gets matches from the start
    /// and no pair comes twice while `index < offers × candidates`.
    static func match(_ index: Int, _ candidates: Int) -> Match {
        let candidate = index % candidates
        let offer = (index / candidates + candidate) % offers
        return Match(offerId: offerId(offer), candidateId: candidateId(candidate), score: 80, breakdown: [])
    }

    /// The size of the first envelope's JSON, for the report.
    var envelopeBytes: Int { messages.first?.envelope.count ?? 0 }

    static func offerId(_ n: Int) -> String { "bench-offer-\(n)" }
    static func candidateId(_ n: Int) -> String { "bench-candidate-\(n)" }

    /// The offers and candidates, applied through the notifier's own inbox handler (not timed),
    /// 1,000 events per transaction.
    func seed(_ notifier: Notifier, _ database: ServiceDatabase) async throws {
        let (start, deadline, available) = try (
            LocalDate("2027-03-01"), LocalDate("2027-01-15"), LocalDate(year: 2027, month: 1, day: 1)
        )
        let offers = (0..<Self.offers).map { n in
            Event.offerPublished(
                Offer(
                    id: Self.offerId(n), title: "Ouvrier agricole", occupation: "9211", country: "ES", city: "Huelva",
                    employer: Employer(name: "Fresas del Sur", registration: "B1"), positions: 2, contract: .seasonal,
                    startDate: start, applicationDeadline: deadline,
                    salary: Salary(amount: 1260, currency: "EUR", period: .month),
                    requirements: Requirements(
                        languages: [], education: 1, experienceYears: 0, skills: [], drivingLicences: []),
                    conditions: Conditions(housing: true, travelPaid: true, workerFees: 0), status: .open,
                    reference: String(format: "ES-2027-%04d", n + 1)))
        }
        let consent = Consent(
            matching: true, notifications: true, statistics: true,
            givenAt: Timestamp(millisecondsSinceEpoch: 1_790_000_000_000))
        let people = (0..<candidates).flatMap { n in
            [
                Event.candidateRegistered(
                    CandidateProfile(
                        id: Self.candidateId(n), gender: .female, birthYear: 1990, region: "ML-BKO", residence: "ML",
                        occupations: ["9211"], experienceYears: 1, education: 2,
                        languages: [LanguageRequirement(code: "fr", level: .b1)],
                        availableFrom: available, consent: consent)),
                Event.contactUpdated(
                    ContactDetails(
                        candidateId: Self.candidateId(n), name: PersonName(given: "Awa", family: "Traore"),
                        contact: Contact(
                            phone: String(format: "+2237%07d", n), preferredChannel: .sms, language: .fr))),
            ]
        }
        let events = offers + people
        for first in stride(from: 0, to: events.count, by: 1_000) {
            let chunk = events[first..<min(events.count, first + 1_000)]
            try await database.pool.write { db in
                for event in chunk { try notifier.apply(Envelope(source: "bench-registry", seq: 1, event: event), db) }
            }
        }
    }

    /// Inbox and dispatcher code logs warnings and errors; nothing else, or it would drown the figures.
    static func logger(_ label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = .warning
        return logger
    }
}
