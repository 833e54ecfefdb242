import Foundation
import GRDB
import Messages
import ServiceTesting
import Testing

@Suite("erasure while a reader holds the WAL back", .serialized, .timeLimit(.minutes(3)))
struct ErasureCheckpointTests {
    static let waitingOne =
        "1 effacement en attente du point de contrôle WAL / 1 erasure waiting for the WAL checkpoint"

    @Test("the erasure is answered at once, waits in /health, and leaves every file once the reader lets go")
    func readerHoldsTheCheckpoint() async throws {
        let broker = try await RunningBroker.start()
        let registry = try await RunningService.start(
            "candidate-registry", broker: broker, dataDirectory: scratchDirectory("erasure-reader"))
        let url = registry.base + "/candidates"
        let name = "Kwelendiakoulibaly"
        let phone = "+22376555123"
        let created = try await request(
            "POST", url, json: sampleCandidate(["name.family": .string(name), "contact.phone": .string(phone)]))
        #expect(created.status == 201, "\(created.text)")
        let id = try #require(created.json?["id"]?.string)

        // A second connection to the registry's file holds a read transaction: no TRUNCATE
        // checkpoint can complete while it lasts.
        let file = (registry.dataDirectory as NSString).appendingPathComponent("candidate-registry.sqlite")
        var configuration = Configuration()
        configuration.readonly = true
        configuration.allowsUnsafeTransactions = true
        let reader = try DatabaseQueue(path: file, configuration: configuration)
        let seen = try await reader.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN DEFERRED")
            return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM candidates") ?? 0
        }
        #expect(seen == 1, "the reader's snapshot holds the candidate")

        let erased = try await request("DELETE", url + "/\(id)")
        #expect(erased.status == 204, "the erasure is committed: \(erased.text)")
        #expect(try await request("GET", url + "/\(id)").status == 404)
        let waiting = try await health(registry)
        #expect(waiting.status == "degraded", "\(waiting)")
        #expect(waiting.checks["erasure"]?.status == "degraded", "\(waiting)")
        #expect(waiting.checks["erasure"]?.detail == Self.waitingOne, "\(waiting)")
        #expect(try await erasuresWaiting(registry) == 1)
        // The fault is real: the person's name is still in the WAL while the reader lasts.
        #expect(try filesContaining(name, under: registry.dataDirectory).contains("candidate-registry.sqlite-wal"))

        try await reader.writeWithoutTransaction { db in try db.execute(sql: "ROLLBACK") }
        try reader.close()
        let done = try await waitUntil("/health to be ok again", timeout: .seconds(30)) {
            let report = try await health(registry)
            return report.status == "ok" ? report : nil
        }
        #expect(done.checks["erasure"]?.status == "ok", "\(done)")
        #expect(try await erasuresWaiting(registry) == 0)
        for secret in [name, phone, String(phone.dropFirst())] {
            #expect(try filesContaining(secret, under: registry.dataDirectory) == [], "\(secret) is still on disk")
        }
        #expect(registry.process.isRunning)
    }

    struct Health: Decodable, CustomStringConvertible {
        struct Check: Decodable {
            let status: String
            let detail: String
        }
        let status: String
        let checks: [String: Check]
        var description: String { "\(status): \(checks.mapValues { "\($0.status) \($0.detail)" })" }
    }

    func health(_ service: RunningService) async throws -> Health {
        let answer = try await request("GET", service.base + "/health", auth: .none)
        return try JSONDecoder().decode(Health.self, from: answer.body)
    }

    /// `passerelle_erasures_waiting_checkpoint` as `/metrics` says it.
    func erasuresWaiting(_ service: RunningService) async throws -> Int? {
        let metrics = try await request("GET", service.base + "/metrics", auth: .none).text
        let line = metrics.split(separator: "\n").first { $0.hasPrefix("passerelle_erasures_waiting_checkpoint ") }
        return line.flatMap { Double($0.split(separator: " ").last ?? "") }.map { Int($0) }
    }
}
