import Foundation
import ServiceTesting
import Synchronization
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A TCP port on 127.0.0.1 that refuses every connection for as long as this value lives:
/// bound, so that no other test (nor anything else) can take it, and never listening. Unlike
/// a port bound, closed and handed out, it cannot turn into somebody's server meanwhile.
final class RefusingPort: Sendable {
    let port: Int
    private let descriptor: Int32

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(descriptor, generic, length) == 0 && getsockname(descriptor, generic, &length) == 0
            }
        }
        guard descriptor >= 0, bound else {
            if descriptor >= 0 { close(descriptor) }
            throw HarnessError.notSeen(process: "RefusingPort", pattern: "bind 127.0.0.1:0", stderr: "")
        }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    var url: String { "http://127.0.0.1:\(port)" }

    deinit { close(descriptor) }
}

/// A broker that can be killed and started again at the same address: its first start binds
/// ports the kernel chooses (no port handed out by a test that another test may take first),
/// and every later start binds the same ones.
final class RestartableBroker: Sendable {
    private let endpoints = Mutex((publishers: "tcp://127.0.0.1:*", subscribers: "tcp://127.0.0.1:*"))
    let extra: [String]

    init(extra: [String] = []) throws {
        self.extra = extra
    }

    var publishers: String { endpoints.withLock { $0.publishers } }
    var subscribers: String { endpoints.withLock { $0.subscribers } }

    func start() async throws -> SpawnedProcess {
        let process = try SpawnedProcess(
            "bus-broker",
            ["--publishers", publishers, "--subscribers", subscribers, "--http", "127.0.0.1:0"] + extra)
        let bound = (
            publishers: try await process.waitForStderr(#"publishers=(\S+)"#),
            subscribers: try await process.waitForStderr(#"subscribers=(\S+)"#)
        )
        endpoints.withLock { $0 = bound }
        _ = try await process.waitForStderr("bus-broker ready")
        return process
    }
}

/// A fixture service spawned on the broker's endpoints with its own data folder.
func startFixture(
    _ name: String, broker: RestartableBroker, dataDirectory: String, _ arguments: [String] = []
) async throws -> (process: SpawnedProcess, http: String) {
    let process = try SpawnedProcess(
        name,
        [
            "--bus-publish", broker.publishers, "--bus-subscribe", broker.subscribers, "--data-dir", dataDirectory,
            "--http", "127.0.0.1:0",
        ] + arguments)
    let http = try await process.waitForStderr(#"address=(\S+) \[ServiceKit\] http listening"#)
    return (process, http)
}

/// What fixture-subscriber's `GET /applied` says.
struct AppliedReport: Codable, Equatable {
    var effects: Int
    /// Seqs applied more than once (the fixture counts every application).
    var appliedTwice: Int
    var deadLetters: Int
    var inOrder: Bool
    var duplicates: Int
    var replayed: Int
    /// Seqs passed over because the publisher said they were compacted or pruned.
    var absentOnPurpose: Int
    /// The inbox's last applied seq per stream.
    var appliedSeqs: [String: Int64]
}

/// Every event applied exactly once: no seq twice, none kept as a dead letter, and no
/// "inbox failed" in the subscriber's log (an error the inbox absorbed would hide a fault).
func expectExactlyOnce(
    _ report: AppliedReport, subscriber: SpawnedProcess, sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(report.appliedTwice == 0, "seqs applied twice", sourceLocation: sourceLocation)
    #expect(report.deadLetters == 0, "events kept as dead letters", sourceLocation: sourceLocation)
    #expect(
        !subscriber.stderr.contains("inbox failed"), "\(subscriber.stderr.suffix(2_000))",
        sourceLocation: sourceLocation)
}

func applied(_ http: String) async throws -> AppliedReport {
    let (data, _) = try await URLSession.shared.data(from: URL(string: "http://\(http)/applied")!)
    return try JSONDecoder().decode(AppliedReport.self, from: data)
}

/// Polls the subscriber (every 50 ms, up to `timeout`) until `done` holds; returns that
/// report, and throws (with the last report) when it never does.
func waitForApplied(
    _ http: String, timeout: Duration = .seconds(120), until done: (AppliedReport) -> Bool
) async throws -> AppliedReport {
    var last: AppliedReport?
    do {
        return try await waitUntil("the subscriber's report", timeout: timeout) {
            guard let report = try? await applied(http) else { return nil }
            last = report
            return done(report) ? report : nil
        }
    } catch HarnessError.timedOut(let what, _) {
        throw HarnessError.timedOut(waitingFor: what, last: last.map { "\($0)" } ?? "no answer")
    }
}

func scratchDirectory(_ name: String) -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("passerelle-\(name)-\(UUID().uuidString)")
        .path
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
