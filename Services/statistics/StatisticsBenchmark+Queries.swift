import AsyncHTTPClient
import Foundation
import GRDB
import Hummingbird
import NIOCore
import NIOHTTP1
import ServiceKit
import ServiceLifecycle

/// Latencies of one query in one view: over HTTP, or by calling ``StatsReader`` in-process.
struct StatsQueryTiming: Sendable {
    var query: String
    var view: String
    var via: String
    var durations: [Duration]
}

/// The queries, over real HTTP: the service as `StatisticsCommand.build` assembles it (its
/// routes, its API-key door, with security on and a `statistics` key for the exact view) on
/// the caught-up store, served by Hummingbird on 127.0.0.1 at a port the kernel chooses, and
/// asked by AsyncHTTPClient one request at a time on a kept-alive connection, timed from
/// sending the request to the last byte of the body. Each HTTP request alternates with the
/// same query through ``StatsReader`` in-process, and that with its two parts, so that every
/// series sees the same moments of a busy machine.
enum StatsBenchQueries {
    static let paths: [(name: String, path: String, dimension: Dimension?)] = [
        ("summary", "/stats/summary", nil), ("destination", "/stats/destination", .destination),
        ("region-gender", "/stats/region-gender", .regionGender),
    ]
    /// Untimed turns before each series.
    static let warmUp = 20

    static func run(
        _ database: ServiceDatabase, dataDirectory: String, scratch: BenchScratch, requests: Int,
        expectedCandidates: Int
    ) async throws -> [StatsQueryTiming] {
        let keys = KeysDirectory(path: (scratch.path as NSString).appendingPathComponent("keys"))
        try FileManager.default.createDirectory(atPath: keys.path, withIntermediateDirectories: true)
        try keys.create(identities: [StatisticsCommand.identity.name, KeysDirectory.brokerIdentity])
        var clients = try keys.apiKeys()
        let key = try clients.create(name: "bench-statistician", role: .statistics)
        try keys.save(clients)
        // The whole service is built (its inbox and jobs are not run): its router is what is served.
        let service = try await StatisticsCommand.build(
            settings: try await .inProcess(
                StatisticsCommand.identity, dataDirectory: dataDirectory, ["keysDir": keys.path]))
        let (ports, port) = AsyncStream.makeStream(of: Int.self)
        let application = Application(
            router: service.runner.router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "statistics"),
            onServerRunning: { channel in
                port.yield(channel.localAddress?.port ?? 0)
                port.finish()
            }, logger: StatsBenchReport.logger("http"))
        let server = ServiceGroup(services: [application], logger: StatsBenchReport.logger("http"))
        return try await withThrowingTaskGroup(of: [StatsQueryTiming].self) { group in
            group.addTask {
                try await server.run()
                return []
            }
            defer { Task { await server.triggerGracefulShutdown() } }
            var listening = ports.makeAsyncIterator()
            guard let number = await listening.next(), number > 0 else {
                throw StatsBenchFailure("the HTTP server did not say its port")
            }
            let asking = Asking(
                base: "http://127.0.0.1:\(number)", key: key, database: database, requests: requests,
                expectedCandidates: expectedCandidates)
            var timings: [StatsQueryTiming] = []
            for query in paths { timings += try await asking.series(query) }
            await server.triggerGracefulShutdown()
            try await group.waitForAll()
            return timings
        }
    }

    /// One query's series: over HTTP and in-process in each view, then its parts.
    struct Asking {
        let base: String
        let key: String
        let database: ServiceDatabase
        let requests: Int
        let expectedCandidates: Int

        func series(_ query: (name: String, path: String, dimension: Dimension?)) async throws -> [StatsQueryTiming] {
            let reader = StatsReader(database: database, threshold: 5)
            var timings: [StatsQueryTiming] = []
            for (view, bearer) in [(View.exact, Optional(key)), (.public(threshold: 5), nil)] {
                let body = try await get(base + query.path, key: bearer)
                try check(body, query: query.name, view: view.name, expectedCandidates: expectedCandidates)
                let (http, local) = try await interleaved {
                    _ = try await get(base + query.path, key: bearer)
                } and: {
                    if let dimension = query.dimension {
                        _ = try await reader.table(dimension, view: view, period: .all)
                    } else {
                        _ = try await reader.summary(view: view, period: .all)
                    }
                }
                timings.append(StatsQueryTiming(query: query.path, view: view.name, via: "HTTP", durations: http))
                timings.append(
                    StatsQueryTiming(query: query.path, view: view.name, via: "StatsReader", durations: local))
            }
            // The summary builds three tables: the outcomes by destination, people by region and gender, the funnel.
            let dimensions = query.dimension.map { [$0] } ?? [.destination, .regionGender, .funnel]
            var built: [StatTable] = []
            let (reading, suppressing) = try await interleaved {
                built = try await database.pool.read { db in
                    try dimensions.map { try TableBuilder(db: db, period: .all).build($0) }
                }
            } and: {
                for (table, dimension) in zip(built, dimensions) {
                    _ = Publication.publish(table, as: dimension, view: .public(threshold: 5))
                }
            }
            timings.append(StatsQueryTiming(query: query.path, view: "-", via: "  reading cells", durations: reading))
            timings.append(
                StatsQueryTiming(query: query.path, view: "public", via: "  suppressing", durations: suppressing))
            return timings
        }

        /// `first` then `second`, ``warmUp`` times untimed and `requests` times timed.
        private func interleaved(
            _ first: () async throws -> Void, and second: () async throws -> Void
        ) async throws -> ([Duration], [Duration]) {
            for _ in 0..<warmUp {
                try await first()
                try await second()
            }
            var durations: ([Duration], [Duration]) = ([], [])
            for _ in 0..<requests {
                let start = ContinuousClock.now
                try await first()
                let middle = ContinuousClock.now
                try await second()
                durations.0.append(start.duration(to: middle))
                durations.1.append(middle.duration(to: .now))
            }
            return durations
        }
    }

    /// One GET, its body read to the end; anything but 200 stops the benchmark.
    static func get(_ url: String, key: String?) async throws -> ByteBuffer {
        var request = HTTPClientRequest(url: url)
        if let key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 16 << 20)
        guard response.status == .ok else {
            throw StatsBenchFailure("GET \(url): \(response.status), \(String(buffer: body).prefix(300))")
        }
        return body
    }

    /// The first answer of each series: the view asked for, and the right number of people.
    static func check(_ body: ByteBuffer, query: String, view: String, expectedCandidates: Int) throws {
        let json = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
        guard json?["view"] as? String == view else {
            throw StatsBenchFailure("\(query) asked in the \(view) view answered \(String(buffer: body).prefix(300))")
        }
        let total = query == "summary" ? json?["candidates"] : (json?["total"] as? [String: Any])?["total"]
        if query != "destination", view == "exact", total as? Int != expectedCandidates {
            throw StatsBenchFailure(
                "\(query), exact: \(String(describing: total)) candidates, not the \(expectedCandidates) consenting")
        }
    }
}
