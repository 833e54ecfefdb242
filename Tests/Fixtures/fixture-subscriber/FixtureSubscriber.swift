import ArgumentParser
import Foundation
import GRDB
import Hummingbird
import Messages
import ServiceKit

/// A subscribing service reduced to its delivery machinery, for the end-to-end delivery
/// tests: an Inbox on the `e2e` stream whose effect is one row per application (no UNIQUE
/// key: applying an event twice leaves two rows, for the test to see, rather than a failed
/// insert the inbox would absorb), and `GET /applied` to tell the test how far it got.
@main
struct FixtureSubscriber: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fixture-subscriber")

    @OptionGroup var common: CommonOptions

    @Option(name: .customLong("apply-delay-ms"), help: "Time each event takes to apply (a slow subscriber).")
    var applyDelayMilliseconds = 0

    func run() async throws {
        let settings = try await common.settings(
            for: ServiceIdentity(name: "fixture-subscriber", defaultHTTP: "127.0.0.1:0"))
        let database = try ServiceDatabase(directory: settings.dataDirectory, name: "fixture-subscriber") { migrator in
            migrator.registerMigration("fixture-v2") { db in
                try db.execute(sql: "CREATE TABLE effects (source TEXT NOT NULL, seq INTEGER NOT NULL)")
            }
        }
        let runner = ServiceRunner(settings: settings)
        let delay = UInt32(max(0, applyDelayMilliseconds) * 1_000)
        let (inbox, consumer) = try runner.receiving(database: database, streams: ["e2e"]) { envelope, db in
            if delay > 0 { usleep(delay) }
            try db.execute(
                sql: "INSERT INTO effects (source, seq) VALUES (?, ?)", arguments: [envelope.source, envelope.seq])
        }
        runner.router.get("/applied") { _, _ -> Response in
            let report = try await AppliedReport.make(database: database, inbox: inbox)
            let body = try JSONEncoder().encode(report)
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
        }
        try await runner.run(services: [consumer])
    }
}

/// How many events were applied, and whether they were applied in order, exactly once.
struct AppliedReport: Codable {
    /// Applications recorded (rows), and how many seqs were applied more than once.
    var effects: Int
    var appliedTwice: Int
    var deadLetters: Int
    var inOrder: Bool
    var duplicates: Int
    var replayed: Int

    static func make(database: ServiceDatabase, inbox: Inbox) async throws -> AppliedReport {
        let seqs = try await database.pool.read { db in
            try Int64.fetchAll(db, sql: "SELECT seq FROM effects ORDER BY rowid")
        }
        let inOrder = seqs.enumerated().allSatisfy { index, seq in seq == Int64(index + 1) }
        let statistics = await inbox.statistics
        return AppliedReport(
            effects: seqs.count, appliedTwice: seqs.count - Set(seqs).count, deadLetters: inbox.deadLetters.value,
            inOrder: inOrder, duplicates: statistics.duplicates, replayed: statistics.replayed)
    }
}
