import ArgumentParser
import GRDB
import Hummingbird
import Messages
import ServiceKit

/// The smallest service on ServiceKit, the page to copy for a new one. It follows the
/// `offer` stream through an inbox (each event applied once, in order, missed ones replayed),
/// counts published offers per destination country in its own SQLite file, and serves the
/// counts at `GET /counts`; `/health` and `/metrics` come with the kit.
@main
struct FixtureCounter: ServiceCommand {
    static let identity = ServiceIdentity(name: "fixture-counter", defaultHTTP: "127.0.0.1:8099")

    @OptionGroup var common: CommonOptions

    static func build(settings: ServiceSettings) async throws -> AssembledService {
        let database = try ServiceDatabase(directory: settings.dataDirectory, name: "fixture-counter") { migrator in
            migrator.registerMigration("counter-v1") { db in
                try db.execute(sql: "CREATE TABLE counts (country TEXT PRIMARY KEY, offers INTEGER NOT NULL)")
            }
        }
        let runner = ServiceRunner(settings: settings)
        // The handler runs in the transaction that records the event as applied.
        let (_, consumer) = try runner.receiving(database: database, streams: ["offer"]) { envelope, db in
            guard case .offerPublished(let offer) = envelope.payload else { return }
            try db.execute(
                sql: "INSERT INTO counts VALUES (?, 1) ON CONFLICT (country) DO UPDATE SET offers = offers + 1",
                arguments: [offer.country])
        }
        runner.router.get("/counts") { _, _ -> Counts in
            try await database.pool.read { db in
                let rows = try Row.fetchAll(db, sql: "SELECT country, offers FROM counts")
                return Counts(offers: Dictionary(uniqueKeysWithValues: rows.map { ($0["country"], $0["offers"]) }))
            }
        }
        return AssembledService(runner: runner, services: [consumer])
    }
}

/// `{"offers": {"ES": 2, "FR": 1}}`: published offers per destination country.
struct Counts: ResponseEncodable {
    var offers: [String: Int]
}
