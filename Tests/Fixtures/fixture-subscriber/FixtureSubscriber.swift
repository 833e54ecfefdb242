import ArgumentParser
import Crypto
import Foundation
import GRDB
import Hummingbird
import Messages
import ServiceKit

/// A subscribing service reduced to its delivery machinery, for the end-to-end delivery
/// tests: an Inbox whose effect is one row per application (no UNIQUE key: applying an event
/// twice leaves two rows, for the test to see, rather than a failed insert the inbox would
/// absorb), and `GET /applied` to tell the test how far it got.
///
/// `--follow candidates` follows `candidate.`, `contact.` and `notification.` and keeps the
/// state a real reader would (profiles, contacts, notifications; an erasure deletes the
/// person); `GET /state` gives a digest of it, to compare a late joiner with a reader that
/// saw everything live.
@main
struct FixtureSubscriber: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fixture-subscriber")

    @OptionGroup var common: CommonOptions

    @Option(name: .customLong("apply-delay-ms"), help: "Time each event takes to apply (a slow subscriber).")
    var applyDelayMilliseconds = 0

    @Option(help: "e2e (the e2e stream) or candidates (candidate., contact. and notification., with state).")
    var follow = "e2e"

    @Option(help: "Follow these streams instead (comma-separated, e.g. offer,candidate,match,notification).")
    var streams: String?

    func run() async throws {
        let settings = try await common.settings(
            for: ServiceIdentity(name: "fixture-subscriber", defaultHTTP: "127.0.0.1:0"))
        let database = try ServiceDatabase(directory: settings.dataDirectory, name: "fixture-subscriber") { migrator in
            migrator.registerMigration("fixture-v3") { db in
                try db.execute(
                    sql: """
                        CREATE TABLE effects (source TEXT NOT NULL, stream TEXT NOT NULL, seq INTEGER NOT NULL);
                        CREATE TABLE candidates (id TEXT PRIMARY KEY NOT NULL, profile TEXT NOT NULL);
                        CREATE TABLE contacts (id TEXT PRIMARY KEY NOT NULL, details TEXT NOT NULL);
                        CREATE TABLE notifications (id TEXT PRIMARY KEY NOT NULL, body TEXT NOT NULL);
                        """)
            }
        }
        let streams: Set<String>
        switch (follow, self.streams) {
        case (_, let list?):
            streams = Set(list.split(separator: ",").map(String.init))
            guard !streams.isEmpty, streams.allSatisfy({ (try? Topic.validate("\($0).event")) != nil }) else {
                throw ValidationError("--streams: stream names, comma-separated (e.g. offer,match), not '\(list)'")
            }
        case ("e2e", nil): streams = ["e2e"]
        case ("candidates", nil): streams = ["candidate", "contact", "notification"]
        default: throw ValidationError("--follow must be e2e or candidates, not '\(follow)'")
        }
        let runner = ServiceRunner(settings: settings)
        let delay = UInt32(max(0, applyDelayMilliseconds) * 1_000)
        let (inbox, consumer) = try runner.receiving(database: database, streams: streams) { envelope, db in
            if delay > 0 { usleep(delay) }
            try db.execute(
                sql: "INSERT INTO effects (source, stream, seq) VALUES (?, ?, ?)",
                arguments: [envelope.source, envelope.stream, envelope.seq])
            try State.apply(envelope.payload, db)
        }
        runner.router.get("/applied") { _, _ -> Response in
            try json(try await AppliedReport.make(database: database, inbox: inbox))
        }
        runner.router.get("/state") { _, _ -> Response in
            try json(try await database.pool.read { db in try State.digest(db) })
        }
        try await runner.run(services: [consumer])
    }
}

func json(_ value: some Encodable) throws -> Response {
    let body = try JSONEncoder().encode(value)
    return Response(
        status: .ok, headers: [.contentType: "application/json"],
        body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
}

/// What a reader of the candidate streams keeps: the latest of each record, nothing of an
/// erased person. Inserts are plain INSERTs where an event is new, so a replayed duplicate
/// fails loudly (a dead letter) instead of vanishing.
enum State {
    static func apply(_ event: Event, _ db: Database) throws {
        func text(_ value: some Encodable) throws -> String {
            String(decoding: try CanonicalJSON.encode(value), as: UTF8.self)
        }
        switch event {
        case .candidateRegistered(let profile), .candidateUpdated(let profile), .candidateWithdrawn(let profile):
            try db.execute(
                sql: "INSERT OR REPLACE INTO candidates (id, profile) VALUES (?, ?)",
                arguments: [profile.id, try text(profile)])
        case .candidateErased(let erased):
            try db.execute(sql: "DELETE FROM candidates WHERE id = ?", arguments: [erased.candidateId])
        case .contactUpdated(let details):
            try db.execute(
                sql: "INSERT OR REPLACE INTO contacts (id, details) VALUES (?, ?)",
                arguments: [details.candidateId, try text(details)])
        case .contactErased(let erased):
            try db.execute(sql: "DELETE FROM contacts WHERE id = ?", arguments: [erased.candidateId])
        case .notificationSent(let notification):
            try db.execute(
                sql: "INSERT INTO notifications (id, body) VALUES (?, ?)",
                arguments: [notification.notificationId, try text(notification)])
        default:
            break
        }
    }

    /// Per table, its rows and a SHA-256 over them in key order (equal digests, equal
    /// state); and the notifications' ids, to compare a fact stream that was pruned.
    struct Digest: Codable, Equatable {
        var candidates: Table
        var contacts: Table
        var notifications: Table
        var notificationIds: [String]

        struct Table: Codable, Equatable {
            var rows: Int
            var sha256: String
        }
    }

    static func digest(_ db: Database) throws -> Digest {
        func table(_ name: String, _ column: String) throws -> Digest.Table {
            var hash = SHA256()
            let rows = try Row.fetchAll(db, sql: "SELECT id, \(column) AS value FROM \(name) ORDER BY id")
            for row in rows { hash.update(data: Data("\(row["id"] as String)\t\(row["value"] as String)\n".utf8)) }
            return Digest.Table(rows: rows.count, sha256: hash.finalize().map { String(format: "%02x", $0) }.joined())
        }
        return Digest(
            candidates: try table("candidates", "profile"), contacts: try table("contacts", "details"),
            notifications: try table("notifications", "body"),
            notificationIds: try String.fetchAll(db, sql: "SELECT id FROM notifications ORDER BY id"))
    }
}

/// How many events were applied, and whether they were applied in order, exactly once.
struct AppliedReport: Codable {
    /// Applications recorded (rows), and how many (stream, seq) were applied more than once.
    var effects: Int
    var appliedTwice: Int
    var deadLetters: Int
    /// Per source and stream, seqs applied in increasing order.
    var inOrder: Bool
    var duplicates: Int
    var replayed: Int
    /// Seqs passed over because the publisher said they were compacted or pruned.
    var absentOnPurpose: Int
    /// The inbox's last applied seq per stream (of any source).
    var appliedSeqs: [String: Int64]

    static func make(database: ServiceDatabase, inbox: Inbox) async throws -> AppliedReport {
        let (rows, appliedSeqs) = try await database.pool.read { db in
            (
                try Row.fetchAll(db, sql: "SELECT source, stream, seq FROM effects ORDER BY rowid"),
                try Dictionary(
                    Row.fetchAll(db, sql: "SELECT stream, applied FROM inbox").map {
                        ($0["stream"] as String, $0["applied"] as Int64)
                    }, uniquingKeysWith: max)
            )
        }
        var last: [String: Int64] = [:]
        var seen = Set<String>()
        var inOrder = true
        for row in rows {
            let key = "\(row["source"] as String)/\(row["stream"] as String)"
            let seq: Int64 = row["seq"]
            if seq <= last[key] ?? 0 { inOrder = false }
            last[key] = seq
            seen.insert("\(key)#\(seq)")
        }
        let statistics = await inbox.statistics
        return AppliedReport(
            effects: rows.count, appliedTwice: rows.count - seen.count, deadLetters: inbox.deadLetters.value,
            inOrder: inOrder, duplicates: statistics.duplicates, replayed: statistics.replayed,
            absentOnPurpose: statistics.absentOnPurpose, appliedSeqs: appliedSeqs)
    }
}
