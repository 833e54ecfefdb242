import Foundation
import Messages

/// The realistic message behind each golden vector in `Golden/`, keyed by file name.
enum GoldenExamples {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    /// The file name of the golden vector for `topic` (`heartbeat.offer-registry.json` for heartbeats).
    static func fileName(for topic: String) -> String { "\(topic).json" }

    /// Every topic that must have a golden vector.
    static let requiredTopics = Topic.known + [Topic.heartbeat(source: "offer-registry")]

    static func envelopes() throws -> [String: Envelope] {
        let seasonal = try seasonalOffer()
        let careAssistant = try careAssistantOffer()
        let aminata = try aminataProfile()
        let moussa = try moussaProfile()
        let match = try careAssistantMatch()
        let all: [Envelope] = [
            Envelope(
                id: uuid("3f8e2a9c-4b1d-4e0a-9c7f-2d5b8e1a6c30"), source: "offer-registry", seq: 141,
                time: try time("2026-11-28T09:12:03.481Z"), event: .offerPublished(seasonal)),
            Envelope(
                id: uuid("8c1d7e52-0f3a-4b6e-a2d9-5e7c1b4f9a08"), source: "offer-registry", seq: 142,
                time: try time("2026-11-28T10:40:17.002Z"), event: .offerUpdated(careAssistant)),
            Envelope(
                id: uuid("b7a4c0e1-6d2f-4f8a-8e3b-9a1c5d7e2f46"), source: "offer-registry", seq: 143,
                time: try time("2026-11-28T16:05:59.930Z"), event: .offerClosed(try weldingOfferClosed())),
            Envelope(
                id: uuid("0d9e3f6a-2c7b-4a1e-b5d8-7f4a6c2e9b13"), source: "candidate-registry", seq: 5120,
                time: try time("2026-11-28T10:02:17.250Z"), event: .candidateRegistered(aminata)),
            Envelope(
                id: uuid("5a2b8c4d-9e1f-4d3a-8b6c-0e7f2a5d1c94"), source: "candidate-registry", seq: 5121,
                time: try time("2026-11-28T11:30:45.118Z"), event: .candidateUpdated(moussa)),
            Envelope(
                id: uuid("e4f1a7b3-3c8d-4e2f-9a5b-6d0c8e3f7a21"), source: "candidate-registry", seq: 5122,
                time: try time("2026-11-28T14:22:08.764Z"), event: .candidateWithdrawn(try withdrawn(moussa))),
            Envelope(
                id: uuid("9c6d2e8f-7a4b-4c1d-a3e5-1f8b9d2c6e07"), source: "candidate-registry", seq: 5123,
                time: try time("2026-11-28T17:48:31.500Z"),
                event: .candidateErased(CandidateErased(candidateId: moussa.id))),
            Envelope(
                id: uuid("2e7f4a1b-8d3c-4b9e-b6a2-4c1d7e8f3a52"), source: "candidate-registry", seq: 3307,
                time: try time("2026-11-28T10:02:17.250Z"),
                event: .contactUpdated(
                    ContactDetails(
                        candidateId: aminata.id, name: PersonName(given: "Aminata", family: "Traoré"),
                        contact: Contact(
                            phone: "+22376123456", email: "aminata.traore@example.ml", preferredChannel: .sms,
                            language: .fr)))),
            Envelope(
                id: uuid("f3a8b5c2-1e6d-4a7f-8c9b-2d4e6f8a1b35"), source: "candidate-registry", seq: 3308,
                time: try time("2026-11-28T17:48:31.500Z"), event: .contactErased(ContactErased(candidateId: moussa.id))
            ),
            Envelope(
                id: uuid("6b1c9d4e-5f2a-4e8b-9d7c-3a6f1e2b8c49"), source: "matcher", seq: 877,
                time: try time("2026-11-28T10:40:17.389Z"), correlation: "8c1d7e52-0f3a-4b6e-a2d9-5e7c1b4f9a08",
                event: .matchFound(match)),
            Envelope(
                id: uuid("a9d2e6f1-4b7c-4f3a-b8e1-5c2d9a6f4e70"), source: "matcher", seq: 902,
                time: try time("2026-11-28T16:05:59.941Z"), correlation: "b7a4c0e1-6d2f-4f8a-8e3b-9a1c5d7e2f46",
                event: .matchWithdrawn(try weldingMatchWithdrawn())),
            Envelope(
                id: uuid("4d8e1f5a-6c3b-4b2d-a7f9-8e1c4a3d6b27"), source: "notifier", seq: 2210,
                time: try time("2026-11-28T10:40:19.015Z"), correlation: "6b1c9d4e-5f2a-4e8b-9d7c-3a6f1e2b8c49",
                event: .notificationSent(
                    NotificationEvent(
                        notificationId: "notif-2026-011842", candidateId: aminata.id, offerId: careAssistant.id,
                        channel: "kannel", template: "match", attempt: 1))),
            Envelope(
                id: uuid("c5e2f8a3-9b4d-4c6e-8f1a-7d3b5e9c2a16"), source: "notifier", seq: 2211,
                time: try time("2026-11-28T10:40:21.774Z"), correlation: "6b1c9d4e-5f2a-4e8b-9d7c-3a6f1e2b8c49",
                event: .notificationFailed(
                    NotificationEvent(
                        notificationId: "notif-2026-011843", candidateId: "cand-2026-004688", offerId: careAssistant.id,
                        channel: "webhook", template: "match", attempt: 5,
                        reason: "HTTP 503 après 5 essais / HTTP 503 after 5 tries"))),
            Envelope(
                id: uuid("7e3f9a6b-2d1c-4e5f-a4b8-6c9d2e1f7a83"), source: "notifier", seq: 2215,
                time: try time("2026-11-28T11:03:52.337Z"),
                event: .notificationReply(
                    NotificationReply(
                        candidateId: aminata.id, offerId: careAssistant.id, intent: .interested, channel: "kannel",
                        receivedAt: try time("2026-11-28T11:03:51.904Z")))),
            Envelope(
                id: uuid("1a5b7c9d-3e2f-4a6b-8c4d-9e7f1a3b5c62"), source: "offer-registry", seq: 0,
                time: try time("2026-11-28T23:55:46.123Z"),
                event: .heartbeat(
                    Heartbeat(source: "offer-registry", streams: ["offer": 143], replay: "tcp://127.0.0.1:7110"))),
        ]
        return Dictionary(uniqueKeysWithValues: all.map { (fileName(for: $0.type), $0) })
    }

    // MARK: Records

    static func seasonalOffer() throws -> Offer {
        Offer(
            id: "offer-2026-000141", title: "Ouvrier agricole saisonnier (récolte des fraises)", occupation: "9211",
            country: "ES", city: "Huelva",
            employer: Employer(name: "Cooperativa Agrícola Fresonda", registration: "F21458730"),
            positions: 40, contract: .seasonal, startDate: try date("2027-02-01"), endDate: try date("2027-06-30"),
            applicationDeadline: try date("2026-12-15"), salary: Salary(amount: 1184, currency: "EUR", period: .month),
            requirements: Requirements(
                languages: [LanguageRequirement(code: "es", level: .a1)], education: 1, experienceYears: 1,
                skills: ["récolte manuelle", "travail en serre"]),
            conditions: Conditions(housing: true, travelPaid: true, workerFees: 0), status: .open, version: 1)
    }

    static func careAssistantOffer() throws -> Offer {
        Offer(
            id: "offer-2026-000178", title: "Aide-soignant / aide-soignante en EHPAD", occupation: "5321",
            country: "FR",
            city: "Lyon", employer: Employer(name: "Résidence Les Tilleuls", registration: "SIRET 812 345 678 00021"),
            positions: 6, contract: .permanent, startDate: try date("2027-03-01"),
            applicationDeadline: try date("2027-01-31"),
            salary: Salary(amount: 1912.5, currency: "EUR", period: .month),
            requirements: Requirements(
                languages: [LanguageRequirement(code: "fr", level: .b2)], education: 3, experienceYears: 4,
                skills: ["soins d'hygiène", "premiers secours"]),
            conditions: Conditions(housing: false, travelPaid: true, workerFees: 0), status: .open, version: 2)
    }

    static func weldingOfferClosed() throws -> Offer {
        Offer(
            id: "offer-2026-000093", title: "Soudeur / soudeuse MIG-MAG", occupation: "7212", country: "CA",
            city: "Saskatoon", employer: Employer(name: "Prairie Steel Fabricators Ltd.", registration: "BN 784512369"),
            positions: 12, contract: .fixedTerm, startDate: try date("2027-04-05"), endDate: try date("2029-04-04"),
            applicationDeadline: try date("2026-11-30"), salary: Salary(amount: 28.75, currency: "CAD", period: .hour),
            requirements: Requirements(
                languages: [LanguageRequirement(code: "en", level: .b1), LanguageRequirement(code: "fr", level: .b1)],
                education: 3, experienceYears: 3, skills: ["soudage MIG-MAG", "lecture de plans"],
                drivingLicences: ["B"]),
            conditions: Conditions(housing: true, travelPaid: true, workerFees: 0), status: .closed, version: 3,
            closedReason: "positions-filled")
    }

    static func aminataProfile() throws -> CandidateProfile {
        CandidateProfile(
            id: "cand-2026-004711", gender: .female, birthYear: 1998, region: "ML-BKO", residence: "ML",
            occupations: ["5321", "5322"], experienceYears: 3, education: 2,
            languages: [
                LanguageRequirement(code: "bm", level: .c2), LanguageRequirement(code: "fr", level: .c1),
                LanguageRequirement(code: "en", level: .a2),
            ],
            skills: ["soins d'hygiène", "premiers secours"], drivingLicences: [], destinations: ["FR", "CA"],
            availableFrom: try date("2027-01-15"),
            consent: Consent(
                matching: true, notifications: true, statistics: true, givenAt: try time("2026-11-28T10:02:17.250Z")),
            registeredAt: try time("2026-11-28T10:02:17.250Z"))
    }

    static func moussaProfile() throws -> CandidateProfile {
        CandidateProfile(
            id: "cand-2026-003954", gender: .male, birthYear: 1991, region: "ML-1", residence: "SN",
            occupations: ["7212", "9333"], experienceYears: 6, education: 2,
            languages: [LanguageRequirement(code: "fr", level: .b1), LanguageRequirement(code: "ar", level: .a2)],
            skills: ["soudage à l'arc", "cariste"], drivingLicences: ["B", "C"], destinations: ["SA", "CA", "ES"],
            availableFrom: try date("2027-03-01"),
            consent: Consent(
                matching: true, notifications: true, statistics: false, givenAt: try time("2026-10-02T08:15:00.000Z")),
            registeredAt: try time("2026-03-14T12:47:09.611Z"))
    }

    /// The profile as the registry publishes it once the candidate has withdrawn consent.
    static func withdrawn(_ profile: CandidateProfile) throws -> CandidateProfile {
        var profile = profile
        profile.consent = Consent(
            matching: false, notifications: false, statistics: false, givenAt: try time("2026-11-28T14:22:08.764Z"))
        return profile
    }

    static func careAssistantMatch() throws -> Match {
        Match(
            offerId: "offer-2026-000178", candidateId: "cand-2026-004711", score: 87.5,
            breakdown: [
                RuleScore(rule: "occupation", score: 100, weight: 0.35, reason: "même groupe de base CITP-08 (5321)"),
                RuleScore(rule: "languages", score: 100, weight: 0.2, reason: "français C1, B2 demandé"),
                RuleScore(rule: "education", score: 0, weight: 0.1, reason: "CITE 2, niveau 3 demandé"),
                RuleScore(rule: "experience", score: 75, weight: 0.1, reason: "3 ans d'expérience sur 4 demandés"),
                RuleScore(
                    rule: "destination", score: 100, weight: 0.15, reason: "France parmi les destinations souhaitées"),
                RuleScore(
                    rule: "availability", score: 100, weight: 0.1,
                    reason: "disponible dès le 2027-01-15, avant le début le 2027-03-01"),
            ])
    }

    static func weldingMatchWithdrawn() throws -> Match {
        Match(
            offerId: "offer-2026-000093", candidateId: "cand-2026-003954", score: 85,
            breakdown: [
                RuleScore(rule: "occupation", score: 100, weight: 0.4, reason: "même groupe de base CITP-08 (7212)"),
                RuleScore(
                    rule: "languages", score: 50, weight: 0.3, reason: "français B1 ; anglais B1 demandé, non déclaré"),
                RuleScore(
                    rule: "destination", score: 100, weight: 0.1, reason: "Canada parmi les destinations souhaitées"),
                RuleScore(rule: "experience", score: 100, weight: 0.2, reason: "6 ans d'expérience, 3 demandés"),
            ],
            reason: "offer-closed")
    }

    // MARK: Helpers

    static func date(_ string: String) throws -> LocalDate { try LocalDate(string) }
    static func time(_ string: String) throws -> Timestamp { try Timestamp(rfc3339: string) }
    static func uuid(_ string: String) -> UUID { UUID(uuidString: string)! }
}
