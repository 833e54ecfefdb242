import ArgumentParser
import Foundation
import GRDB
import Logging
import Messages
import ServiceKit
import ServiceLifecycle

/// A publishing service reduced to its delivery machinery, for the end-to-end delivery
/// tests: it emits numbered events (`e2e.sample`, payload `{"n": seq}`) through its outbox,
/// relays them with heartbeats, and serves replay. Restarted on the same data folder, it
/// continues the numbering where it stopped.
@main
struct FixturePublisher: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fixture-publisher")

    @OptionGroup var common: CommonOptions

    @Option(help: "Total events the outbox should hold; the missing ones are emitted.")
    var events = 0

    @Option(help: "Events per transaction.")
    var batch = 100

    @Option(name: .customLong("pause-ms"), help: "Pause between transactions, in milliseconds.")
    var pauseMilliseconds = 0

    @Flag(help: "Commit every event, then die by SIGKILL before anything is published.")
    var crashAfterCommit = false

    @Option(help: "e2e (numbered e2e.sample events) or candidates (a registry's history: CandidateWorkload).")
    var workload = "e2e"

    @Option(name: .customLong("old-facts"), help: "candidates: notifications among the first N events are dated back.")
    var oldFacts = 0

    @Option(name: .customLong("fact-age-days"), help: "candidates: how far back those notifications are dated.")
    var factAgeDays = 30

    @Option(
        name: .customLong("hold-after-send"),
        help: """
            Once the relay has sent event N, stop it between that send and the save of its cursor \
            (it says so on stderr), for the test to kill the process there.
            """)
    var holdAfterSend: Int?

    static let identity = ServiceIdentity(
        name: "fixture-publisher", defaultHTTP: "127.0.0.1:0", defaultReplay: "tcp://127.0.0.1:*")

    func run() async throws {
        let settings = try await common.settings(for: Self.identity)
        let database = try ServiceDatabase(directory: settings.dataDirectory, name: "fixture-publisher")
        let source = settings.source
        let emitter: any Emitting =
            switch workload {
            case "e2e":
                Emitter(
                    database: database, outbox: Outbox(source: source), total: events, batch: max(1, batch),
                    pause: .milliseconds(pauseMilliseconds))
            case "candidates":
                CandidateWorkload(
                    database: database, outbox: Outbox(source: source), total: events, batch: max(1, batch),
                    oldFacts: oldFacts, factAgeDays: factAgeDays)
            default:
                throw ValidationError("--workload must be e2e or candidates, not '\(workload)'")
            }
        if crashAfterCommit {
            try await emitter.emitAll()
            kill(getpid(), SIGKILL)
        }
        let runner = ServiceRunner(settings: settings)
        var services = try runner.publishing(database: database).services
        if let holdAfterSend {
            // The test, not this process, picks the moment to die: once the subscriber has
            // applied what was sent (libzmq may still hold it in its queue here).
            services = services.map { service in
                guard var relay = service as? OutboxRelay else { return service }
                relay.afterSendBeforeCursorSave = { stream, seq in
                    guard seq >= holdAfterSend else { return }
                    FileHandle.standardError.write(
                        Data("fixture-publisher: sent \(stream)#\(seq), cursor not saved\n".utf8))
                    while !Task.isCancelled { try? await Task.sleep(for: .seconds(3_600)) }
                }
                return relay
            }
        }
        runner.logger.info("fixture-publisher ready")
        try await runner.run(services: services + [emitter])
    }
}

/// A workload: emits the events the outbox is missing, then waits for shutdown.
protocol Emitting: Service {
    func emitAll() async throws
}

/// Emits the missing events, then waits for shutdown.
struct Emitter: Emitting {
    let database: ServiceDatabase
    let outbox: Outbox
    let total: Int
    let batch: Int
    let pause: Duration

    func emitAll() async throws {
        while true {
            let emitted = try await database.pool.write { db -> Bool in
                let latest = Int(try Outbox.latest(db)["e2e"] ?? 0)
                guard latest < total else { return false }
                for n in (latest + 1)...min(total, latest + batch) {
                    try outbox.append(.unknown(topic: "e2e.sample", payload: .object(["n": .int(Int64(n))])), in: db)
                }
                return true
            }
            guard emitted else { break }
            if pause > .zero { try await Task.sleep(for: pause) }
        }
        FileHandle.standardError.write(Data("fixture-publisher: emitted \(total)\n".utf8))
    }

    func run() async throws {
        try await emitAll()
        try? await gracefulShutdown()
    }
}
