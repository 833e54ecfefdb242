import Foundation
import GRDB
import Messages
import SeededRandom
import ServiceKit
import ServiceLifecycle

/// A registry's life in fast motion, for the late-joiner tests: candidates registered,
/// updated (profile and contact), erased, and notifications sent about them, as real
/// `candidate.`, `contact.` and `notification.` events through the outbox, until the outbox
/// holds `total` events. The same seed gives the same history.
///
/// Erasure does what the candidate registry does: tombstones (`candidate.erased`,
/// `contact.erased`) and the person's earlier rows deleted (``Outbox/forget``). Only
/// candidates whose number is a multiple of 4 are ever erased, and notifications go only to
/// the others: a fact stream is not rewritten on erasure here (the notifier's concern).
/// Notifications of the first `oldFacts` events are dated `factAgeDays` back, for the
/// fact stream's retention to prune them.
struct CandidateWorkload: Emitting {
    let database: ServiceDatabase
    let outbox: Outbox
    let total: Int
    let batch: Int
    let oldFacts: Int
    let factAgeDays: Int

    /// The candidates' ids and distinctive strings a test looks for in files: every erased
    /// candidate's id and name must be absent from a late joiner's files.
    static func id(_ n: Int) -> String { "cand-wl-\(String(format: "%05d", n))" }
    static func familyName(_ n: Int) -> String { "Famille\(n)Zq" }

    /// The events of the whole history, in order (the workload is replayed from the start
    /// each run, so a restarted publisher continues where the outbox stops).
    static func history(total: Int) throws -> [Event] {
        // SplitMix64: deterministic across runs and platforms.
        var random = SplitMix64(seed: 0x9E37_79B9_7F4A_7C15)
        var events: [Event] = []
        var live: [Int: CandidateProfile] = [:]
        var registered = 0
        var notifications = 0
        let givenAt = Timestamp(millisecondsSinceEpoch: 1_790_000_000_000)
        while events.count < total {
            let roll = random.next(modulo: 100)
            let ids = live.keys.sorted()
            if live.count < 20 || roll < 30 {
                registered += 1
                let n = registered
                let profile = CandidateProfile(
                    id: id(n), gender: n % 2 == 0 ? .female : .male, birthYear: 1980 + n % 20, region: "ML-BKO",
                    residence: "ML", occupations: ["9211"], experienceYears: 1, education: 2,
                    languages: [LanguageRequirement(code: "fr", level: .b1)], skills: ["skill-\(n)"],
                    availableFrom: try LocalDate(year: 2027, month: 1, day: 1),
                    consent: Consent(matching: true, notifications: true, statistics: true, givenAt: givenAt),
                    registeredAt: givenAt)
                live[n] = profile
                events.append(.candidateRegistered(profile))
                events.append(.contactUpdated(contact(n, phone: 70_000_000 + n)))
            } else if roll < 75 {
                let n = ids[random.next(modulo: ids.count)]
                live[n]!.experienceYears += 1
                events.append(.candidateUpdated(live[n]!))
                if roll % 3 == 0 { events.append(.contactUpdated(contact(n, phone: 80_000_000 + n))) }
            } else if roll < 85 {
                guard let n = ids.filter({ $0 % 4 == 0 }).first else { continue }
                live[n] = nil
                events.append(.candidateErased(CandidateErased(candidateId: id(n))))
                events.append(.contactErased(ContactErased(candidateId: id(n))))
            } else {
                let others = ids.filter { $0 % 4 != 0 }
                guard !others.isEmpty else { continue }
                notifications += 1
                let n = others[random.next(modulo: others.count)]
                events.append(
                    .notificationSent(
                        NotificationEvent(
                            notificationId: "notif-\(notifications)", candidateId: id(n), channel: "spool",
                            template: "match")))
            }
        }
        return Array(events.prefix(total))
    }

    static func contact(_ n: Int, phone: Int) -> ContactDetails {
        ContactDetails(
            candidateId: id(n), name: PersonName(given: "Awa", family: familyName(n)),
            contact: Contact(phone: "+223\(phone)", preferredChannel: .sms, language: .fr))
    }

    func emitAll() async throws {
        let events = try Self.history(total: total)
        let outbox = outbox
        let old = Timestamp(
            millisecondsSinceEpoch: Timestamp.now.millisecondsSinceEpoch - Int64(factAgeDays) * 86_400_000)
        while true {
            let done = try await database.pool.write { db -> Bool in
                let emitted = Int(try Outbox.emittedCount(db))
                guard emitted < events.count else { return true }
                for index in emitted..<min(events.count, emitted + batch) {
                    let event = events[index]
                    let backdated = index < oldFacts && event.stream == "notification"
                    try outbox.append(event, time: backdated ? old : .now, in: db)
                    try Outbox.markEmitted(index + 1, db)
                    if case .candidateErased(let erased) = event {
                        try Outbox.forget(record: erased.candidateId, stream: "candidate", in: db)
                    } else if case .contactErased(let erased) = event {
                        try Outbox.forget(record: erased.candidateId, stream: "contact", in: db)
                    }
                }
                return false
            }
            if done { break }
        }
        FileHandle.standardError.write(Data("fixture-publisher: emitted \(total)\n".utf8))
    }

    func run() async throws {
        try await emitAll()
        try? await gracefulShutdown()
    }
}

extension SplitMix64 {
    /// A number in `0..<bound`, the remainder of the next draw: the workload's history was
    /// always drawn so (not with `below(_:)`), and stays the same history.
    fileprivate mutating func next(modulo bound: Int) -> Int { Int(next() % UInt64(bound)) }
}

extension Outbox {
    /// How many workload events were emitted (rows may since have been deleted).
    fileprivate static func emittedCount(_ db: Database) throws -> Int64 {
        try db.execute(sql: "CREATE TABLE IF NOT EXISTS workload (emitted INTEGER NOT NULL)")
        return try Int64.fetchOne(db, sql: "SELECT MAX(emitted) FROM workload") ?? 0
    }

    fileprivate static func markEmitted(_ count: Int, _ db: Database) throws {
        try db.execute(sql: "DELETE FROM workload")
        try db.execute(sql: "INSERT INTO workload (emitted) VALUES (?)", arguments: [count])
    }
}
