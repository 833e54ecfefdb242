import Foundation
import Synchronization

/// A built Passerelle executable run as a child process, its output collected as it comes.
///
/// Every test that spawns one ends it (`deinit` sends SIGKILL to a process still running),
/// also when the test fails half-way.
final class SpawnedProcess: Sendable {
    let name: String
    private let process: Process
    /// Shared with the reader threads; they must not hold `self`, or `deinit` (which kills
    /// the process) would wait for the pipes, which wait for the process: nobody ends.
    private let output = CollectedOutput()

    /// Where `swift build` put the executables: `PASSERELLE_BIN_DIR`, or `.build/debug`.
    static var binDirectory: URL {
        if let dir = ProcessInfo.processInfo.environment["PASSERELLE_BIN_DIR"] {
            return URL(fileURLWithPath: dir)
        }
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/debug")
    }

    init(_ name: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        self.name = name
        let process = Process()
        process.executableURL = Self.binDirectory.appendingPathComponent(name)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PASSERELLE_") }
        // Security on (compose/dev test): every process gets the keys, unless the test says otherwise.
        env.merge(TestSecurity.environment) { $1 }
        env.merge(environment) { $1 }
        process.environment = env
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        self.process = process
        try process.run()
        collect(stdout.fileHandleForReading, isStandardError: false)
        collect(stderr.fileHandleForReading, isStandardError: true)
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Reads a pipe to its end on a thread of its own (blocking reads stay off the pool).
    private func collect(_ handle: FileHandle, isStandardError: Bool) {
        let output = output
        let thread = Thread {
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                output.withLock { output in
                    if isStandardError {
                        output.stderr.append(contentsOf: chunk)
                    } else {
                        output.stdout.append(contentsOf: chunk)
                    }
                }
            }
            output.withLock { $0.openPipes -= 1 }
        }
        thread.start()
    }

    var stdout: String { output.withLock { String(decoding: $0.stdout, as: UTF8.self) } }
    var stderr: String { output.withLock { String(decoding: $0.stderr, as: UTF8.self) } }
    var stdoutBytes: [UInt8] { output.withLock { $0.stdout } }
    var isRunning: Bool { process.isRunning }

    /// Waits (bounded) until standard error holds a line matching `pattern`; returns the
    /// first capture group, or the whole match.
    func waitForStderr(_ pattern: String, timeout: Duration = .seconds(30)) async throws -> String {
        let regex = try Regex(pattern)
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let text = stderr
            if let match = text.firstMatch(of: regex) {
                return match.output.count > 1 ? String(match.output[1].substring ?? "") : String(text[match.range])
            }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw HarnessError.notSeen(process: name, pattern: pattern, stderr: stderr)
    }

    func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Waits (bounded) for the exit and for both pipes to be read to their end; returns the
    /// exit status, or `nil` when it did not exit in time or died of a signal.
    func waitForExit(timeout: Duration) async throws -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if !process.isRunning, output.withLock({ $0.openPipes == 0 }) {
                return process.terminationReason == .exit ? process.terminationStatus : nil
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        return nil
    }
}

final class CollectedOutput: Sendable {
    private let state = Mutex((stdout: [UInt8](), stderr: [UInt8](), openPipes: 2))

    func withLock<T>(_ body: (inout (stdout: [UInt8], stderr: [UInt8], openPipes: Int)) -> T) -> T {
        state.withLock { body(&$0) }
    }
}

enum HarnessError: Error, CustomStringConvertible {
    case notSeen(process: String, pattern: String, stderr: String)

    var description: String {
        switch self {
        case .notSeen(let process, let pattern, let stderr):
            "\(process) never printed /\(pattern)/ on stderr; it printed:\n\(stderr.suffix(2_000))"
        }
    }
}

/// A bus-broker on ports chosen by the kernel, ready to forward.
struct RunningBroker {
    let process: SpawnedProcess
    let publishers: String
    let subscribers: String
    let http: String

    static func start(extra: [String] = [], environment: [String: String] = [:]) async throws -> RunningBroker {
        let process = try SpawnedProcess(
            "bus-broker",
            ["--publishers", "tcp://127.0.0.1:*", "--subscribers", "tcp://127.0.0.1:*", "--http", "127.0.0.1:0"]
                + extra, environment: environment)
        let publishers = try await process.waitForStderr(#"publishers=(\S+)"#)
        let subscribers = try await process.waitForStderr(#"subscribers=(\S+)"#)
        let http = try await process.waitForStderr(#"address=(\S+) \[ServiceKit\] http listening"#)
        return RunningBroker(process: process, publishers: publishers, subscribers: subscribers, http: http)
    }
}

/// A bus-tap subscribed at `broker`, ready once it said so.
func startTap(
    _ subscribeAt: String, _ arguments: [String], environment: [String: String] = [:]
) async throws -> SpawnedProcess {
    let tap = try SpawnedProcess(
        "bus-tap", ["--bus-subscribe", subscribeAt, "--no-color"] + arguments, environment: environment)
    _ = try await tap.waitForStderr("bus-tap: subscribed")
    return tap
}
