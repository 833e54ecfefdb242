import Bus
import Foundation
import Logging
import ServiceKit
import ServiceLifecycle
import Testing

/// An in-process broker without security, on inproc endpoints of its own.
private struct LocalBus {
    let broker: BrokerCore

    init() throws {
        let id = UUID().uuidString
        broker = try BrokerCore(publishers: "inproc://guard-pub-\(id)", subscribers: "inproc://guard-sub-\(id)")
    }

    /// A relay publishing as `fixture` that watches for another live `fixture` first (or, with
    /// `watching` false, one that does not: a process started at the same moment as another).
    func relay(health: HealthChecks, watching: Bool = true) throws -> OutboxRelay {
        OutboxRelay(
            database: try ServiceDatabase(directory: temporaryDirectory(), name: "relay"),
            publisher: try BusPublisher(connect: [broker.publisherEndpoint]), source: "fixture", replayEndpoint: nil,
            heartbeatInterval: .milliseconds(200), health: health,
            sameSourceWatch: watching
                ? try BusSubscriber(connect: [broker.subscriberEndpoint], prefixes: ["heartbeat.fixture"]) : nil,
            logger: Logger(label: "relay"))
    }
}

@Suite("SourceGuard: one live process per source name", .timeLimit(.minutes(1)))
struct SourceGuardTests {
    @Test("a second relay with a source already live refuses to start; the first keeps running")
    func secondRelayRefuses() async throws {
        let bus = try LocalBus()
        let firstHealth = HealthChecks(service: "first")
        let first = ServiceGroup(services: [try bus.relay(health: firstHealth)], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await first.run() }
            // The relay loop reports only once the start-up probe found no one else.
            let started = try await eventually(seconds: 10) { firstHealth.current.checks["relay"] != nil ? true : nil }
            #expect(started == true, "the first relay, alone, starts")

            let second = try bus.relay(health: HealthChecks(service: "second"))
            let start = ContinuousClock.now
            // Bounded: a second relay that does start would otherwise run until the time limit.
            let outcome = await withTaskGroup(of: (any Error)??.self) { race in
                race.addTask {
                    do { try await second.run() } catch { return error }
                    return .some(nil)
                }
                race.addTask {
                    try? await Task.sleep(for: .seconds(20))
                    return nil
                }
                defer { race.cancelAll() }
                return await race.next() ?? nil
            }
            switch outcome {
            case .some(DeliveryError.sourceInUse(let source)?): #expect(source == "fixture")
            case .some(let other): Issue.record("the second relay ended with \(String(describing: other))")
            case nil: Issue.record("the second relay started and ran for 20 s")
            }
            // Its probe lasts 2.5 heartbeats (0.5 s); the bound is loose because the whole suite
            // runs in parallel on two cores.
            #expect(ContinuousClock.now - start < .seconds(20), "refused, before publishing anything")

            // The newcomer listened without a heartbeat of its own: the running relay saw nothing
            // to worry about, and its health says nothing of a second process.
            #expect(firstHealth.current.checks["source"] == nil, "\(firstHealth.current)")
            // Still running: it ends only now, cleanly, when asked to (a thrown error would fail here).
            await first.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        await bus.broker.stop()
    }

    @Test("a running relay that hears another process heartbeat as its source reports it on /health and goes on")
    func runningRelayNotices() async throws {
        let bus = try LocalBus()
        let firstHealth = HealthChecks(service: "first")
        let first = ServiceGroup(services: [try bus.relay(health: firstHealth)], logger: Logger(label: "first"))
        let other = ServiceGroup(
            services: [try bus.relay(health: HealthChecks(service: "other"), watching: false)],
            logger: Logger(label: "other"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await first.run() }
            let started = try await eventually(seconds: 10) { firstHealth.current.checks["relay"] != nil ? true : nil }
            #expect(started == true)
            tasks.addTask { try await other.run() }
            let noticed = try await eventually(seconds: 5) {
                firstHealth.current.checks["source"]?.status == .degraded ? true : nil
            }
            #expect(noticed == true, "the first relay reports the other process on /health")
            await other.triggerGracefulShutdown()
            await first.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        await bus.broker.stop()
    }
}
