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
/// asked by AsyncHTTPClient one request at a time on a kept-alive connection. Timed from
/// sending the request to the last byte of the body.
enum StatsBenchQueries {
    static let paths: [(name: String, path: String, dimension: Dimension?)] = [
        ("summary", "/stats/summary", nil), ("destination", "/stats/destination", .destination),
        ("region-gender", "/stats/region-gender", .regionGender),
    ]
    /// Untimed requests before each series.
    static let warmUp = 20

    static func overHTTP(
        dataDirectory: String, scratch: StatsBenchScratch, requests: Int, expectedCandidates: Int
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
            let timings = try await series("http://127.0.0.1:\(number)", key: key, requests, expectedCandidates)
            await server.triggerGracefulShutdown()
            try await group.waitForAll()
            return timings
        }
    }

    /// Every query in both views, each after a checked answer and ``warmUp`` untimed ones.
    private static func series(
        _ base: String, key: String, _ requests: Int, _ expectedCandidates: Int
    ) async throws -> [StatsQueryTiming] {
        var timings: [StatsQueryTiming] = []
        for query in paths {
            for (view, bearer) in [("exact", Optional(key)), ("public", nil)] {
                let body = try await get(base + query.path, key: bearer)
                try check(body, query: query.name, view: view, expectedCandidates: expectedCandidates)
                for _ in 0..<warmUp { _ = try await get(base + query.path, key: bearer) }
                var durations: [Duration] = []
                durations.reserveCapacity(requests)
                for _ in 0..<requests {
                    let start = ContinuousClock.now
                    _ = try await get(base + query.path, key: bearer)
                    durations.append(start.duration(to: .now))
                }
                timings.append(StatsQueryTiming(query: query.path, view: view, via: "HTTP", durations: durations))
            }
        }
        return timings
    }

    /// One GET, its body read to the end; anything but 200 stops the benchmark.
    private static func get(_ url: String, key: String?) async throws -> ByteBuffer {
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
    private static func check(_ body: ByteBuffer, query: String, view: String, expectedCandidates: Int) throws {
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

    /// The same queries without HTTP: ``StatsReader`` as the routes call it (reading `cells`,
    /// building the tables, publishing them), and its two parts for the public view.
    static func inProcess(_ database: ServiceDatabase, requests: Int) async throws -> [StatsQueryTiming] {
        let reader = StatsReader(database: database, threshold: 5)
        var timings: [StatsQueryTiming] = []
        for query in paths {
            for view in [View.exact, .public(threshold: 5)] {
                let durations = try await repeated(requests) {
                    if let dimension = query.dimension {
                        _ = try await reader.table(dimension, view: view, period: .all)
                    } else {
                        _ = try await reader.summary(view: view, period: .all)
                    }
                }
                timings.append(
                    StatsQueryTiming(query: query.path, view: view.name, via: "StatsReader", durations: durations))
            }
            let dimensions = query.dimension.map { [$0] } ?? [.destination, .regionGender, .funnel]
            var built: [StatTable] = []
            let reading = try await repeated(requests) {
                built = try await database.pool.read { db in
                    try dimensions.map { try TableBuilder(db: db, period: .all).build($0) }
                }
            }
            timings.append(StatsQueryTiming(query: query.path, view: "-", via: "  reading cells", durations: reading))
            let suppressing = try await repeated(requests) {
                for (table, dimension) in zip(built, dimensions) {
                    _ = Publication.publish(table, as: dimension, view: .public(threshold: 5))
                }
            }
            timings.append(
                StatsQueryTiming(query: query.path, view: "public", via: "  suppressing", durations: suppressing))
        }
        return timings
    }

    private static func repeated(_ count: Int, _ body: () async throws -> Void) async throws -> [Duration] {
        for _ in 0..<warmUp { try await body() }
        var durations: [Duration] = []
        durations.reserveCapacity(count)
        for _ in 0..<count {
            let start = ContinuousClock.now
            try await body()
            durations.append(start.duration(to: .now))
        }
        return durations
    }
}
