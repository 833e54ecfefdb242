import Bus
import Foundation
import Logging
import ServiceKit
import Synchronization

/// The broker of the `broker` case: the in-process `BrokerCore`, or a spawned `bus-broker`.
/// One broker serves every run, as a real, long-lived broker would.
final class BrokerUnderTest {
    let publishers: String
    let subscribers: String
    /// What the report says about it.
    let summary: String
    private let core: BrokerCore?
    private let process: Process?
    private let log: ProcessLog?

    /// Starts a `BrokerCore` with its own ZeroMQ context: like the `bus-broker` process, it
    /// then has an I/O thread of its own instead of sharing the clients'.
    init() throws {
        let core = try BrokerCore(
            publishers: "tcp://127.0.0.1:*", subscribers: "tcp://127.0.0.1:*", options: .unbounded,
            maxMessageBytes: 1 << 20, context: BusContext(ioThreads: 1))
        (self.core, process, log) = (core, nil, nil)
        (publishers, subscribers) = (core.publisherEndpoint, core.subscriberEndpoint)
        summary = "in-process BrokerCore (own ZeroMQ context, no high-water marks)"
    }

    /// The client options of the secure broker's publisher and subscriber (their own keys).
    private(set) var secureClients: (publisher: SocketOptions, subscriber: SocketOptions)?
    /// The keys folder a secure broker was given, removed by `stop()`.
    private var keysFolder: String?

    /// A `BrokerCore` with security on, as `bus-broker --keys-dir` runs it: CURVE and ZAP on
    /// both sockets, and ``BusAccessPolicy`` (ACL and source = identity) on every message, with
    /// keys made in a temporary folder for the broker, the publisher and the subscriber.
    ///
    /// - Parameter checks: false leaves CURVE and ZAP on but the ACL and source check off, to
    ///   tell the cost of encryption from the cost of the checks.
    static func secure(checks: Bool = true) throws -> BrokerUnderTest {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bench-keys-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let keys = KeysDirectory(path: folder)
        let acl = """
            \(EnvelopeTemplate.source):
              publish: [bench.]
              subscribe: []
            bench-reader:
              publish: []
              subscribe: [bench.]

            """
        try keys.create(identities: ["bus-broker", EnvelopeTemplate.source, "bench-reader"], acl: acl)
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let brokerSecurity = try BusSecurity(directory: keys, identity: "bus-broker", logger: logger)
        let context = BusContext(ioThreads: 1)
        let core = try BrokerCore(
            publishers: "tcp://127.0.0.1:*", subscribers: "tcp://127.0.0.1:*",
            options: brokerSecurity.serverOptions(.unbounded, domain: "bench-broker", context: context),
            maxMessageBytes: 1 << 20, policy: checks ? BusAccessPolicy(security: brokerSecurity) : nil,
            context: context, logger: logger)
        let broker = BrokerUnderTest(
            core: core, summary: "in-process BrokerCore with CURVE, ZAP\(checks ? " and the ACL" : "")")
        broker.keysFolder = folder
        broker.secureClients = (
            try BusSecurity(directory: keys, identity: EnvelopeTemplate.source, logger: logger)
                .clientOptions(.unbounded, server: "bus-broker"),
            try BusSecurity(directory: keys, identity: "bench-reader", logger: logger)
                .clientOptions(.unbounded, server: "bus-broker")
        )
        return broker
    }

    private init(core: BrokerCore, summary: String) {
        (self.core, process, log) = (core, nil, nil)
        (publishers, subscribers) = (core.publisherEndpoint, core.subscriberEndpoint)
        self.summary = summary
    }

    /// Spawns `binary` on wildcard ports and waits for the log line naming the endpoints.
    init(binary: String) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "--publishers", "tcp://127.0.0.1:*", "--subscribers", "tcp://127.0.0.1:*", "--http", "127.0.0.1:0",
        ]
        process.standardOutput = FileHandle.nullDevice
        let log = ProcessLog(capturing: process)
        try process.run()
        do {
            (publishers, subscribers) = try await log.endpoints(timeout: .seconds(60))
        } catch {
            kill(process.processIdentifier, SIGKILL)
            throw error
        }
        (core, self.process, self.log) = (nil, process, log)
        summary = "\(binary) (pid \(process.processIdentifier), its own high-water marks)"
    }

    /// Stops the broker; returns its last log line for a spawned one (its totals), if any.
    func stop() async -> String? {
        await core?.stop()
        if let keysFolder { try? FileManager.default.removeItem(atPath: keysFolder) }
        guard let process, let log else { return nil }
        kill(process.processIdentifier, SIGTERM)
        let deadline = ContinuousClock.now + .seconds(10)
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            return "bus-broker ignored SIGTERM for 10 s and was killed"
        }
        // The stderr thread may still be reading the farewell line with the totals.
        for _ in 0..<20 where !log.lines.contains(where: { $0.contains("stopped") }) {
            try? await Task.sleep(for: .milliseconds(50))
        }
        let last = log.lines.last { $0.contains("stopped") } ?? log.lines.last ?? "(no log)"
        return "bus-broker exited with status \(process.terminationStatus); its last log line: \(last)"
    }
}

/// The child's stderr, read as it comes so the child never blocks on a full pipe.
final class ProcessLog: Sendable {
    private let text = Mutex<String>("")
    private let (updates, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))

    struct NotReady: Error, CustomStringConvertible {
        let reason: String
        let log: [String]
        var description: String { "bus-broker did not report its endpoints: \(reason)\n" + log.joined(separator: "\n") }
    }

    init(capturing process: Process) {
        let pipe = Pipe()
        process.standardError = pipe
        // A plain thread with blocking reads: FileHandle.readabilityHandler crashed inside
        // libdispatch here (Swift 6.3, Linux), and blocking calls stay off the cooperative pool.
        let reader = Thread { [self] in
            while case let data = pipe.fileHandleForReading.availableData, !data.isEmpty {
                text.withLock { $0 += String(decoding: data, as: UTF8.self) }
                continuation.yield()
            }
            continuation.finish()  // end of file: the child exited
        }
        reader.name = "bus-broker-stderr"
        reader.start()
    }

    var lines: [String] { text.withLock { $0.split(separator: "\n").map(String.init) } }

    /// The endpoints from the line `… publishers=ENDPOINT subscribers=ENDPOINT …`.
    func endpoints(timeout: Duration) async throws -> (publishers: String, subscribers: String) {
        try await withThrowingTaskGroup(of: (String, String).self) { group in
            group.addTask {
                for await _ in self.updates {
                    if let found = self.readyLine() { return found }
                }
                throw NotReady(reason: "it exited", log: self.lines)
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw NotReady(reason: "no ready line within \(timeout)", log: self.lines)
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }

    private func readyLine() -> (String, String)? {
        for line in lines {
            let words = line.split(separator: " ")
            func value(_ key: String) -> String? {
                words.first { $0.hasPrefix(key + "=") }.map { String($0.dropFirst(key.count + 1)) }
            }
            if let publishers = value("publishers"), let subscribers = value("subscribers") {
                return (publishers, subscribers)
            }
        }
        return nil
    }
}
