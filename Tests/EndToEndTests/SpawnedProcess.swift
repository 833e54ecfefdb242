import Foundation
import Synchronization

/// A built Passerelle executable run as a child process, its output collected as it comes.
///
/// A child never outlives the test run that started it, even one that crashes: it runs in a
/// process group of its own, killed whole (`kill(-pgid, SIGKILL)`) when the test lets go of
/// it (`deinit`), also when the test fails half-way, and the kernel sends it SIGKILL when the
/// test process dies (see ``ChildSpawner``).
final class SpawnedProcess: Sendable {
    let name: String
    private let process: Process
    /// Its pid (a test that reads /proc about it, or enters its namespaces).
    var processIdentifier: Int32 { process.processIdentifier }
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

    /// Runs the built executable `name`.
    convenience init(_ name: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        try self.init(
            executable: Self.binDirectory.appendingPathComponent(name), name: name, arguments,
            environment: environment)
    }

    /// Runs any executable (a shell, the test runner itself) the same way; `input`, when given,
    /// is the child's standard input (the test writes to it), otherwise it reads nothing.
    init(
        executable: URL, name: String, _ arguments: [String], environment: [String: String] = [:],
        input: Pipe? = nil
    ) throws {
        self.name = name
        let process = Process()
        (process.executableURL, process.arguments) = ChildSpawner.command(executable, arguments)
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PASSERELLE_") }
        // Security on (compose/dev test): every process gets the keys, unless the test says otherwise.
        env.merge(TestSecurity.environment) { $1 }
        env.merge(environment) { $1 }
        process.environment = env
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = input ?? FileHandle.nullDevice
        self.process = process
        try ChildSpawner.shared.spawn(process)
        collect(stdout.fileHandleForReading, isStandardError: false)
        collect(stderr.fileHandleForReading, isStandardError: true)
        // Foundation starts the child as the leader of a new process group (posix_spawn with
        // POSIX_SPAWN_SETPGROUP); killing the group relies on it, so it is checked.
        let pid = process.processIdentifier
        guard getpgid(pid) == pid else {
            kill(pid, SIGKILL)
            throw HarnessError.notSeen(process: name, pattern: "a process group of its own", stderr: "")
        }
    }

    deinit {
        killGroup(SIGKILL)
    }

    /// Sends `signal` to the child's process group: the child and anything it started.
    ///
    /// Only while the child (the group's leader) runs: once it is reaped its pid, and so the
    /// group id, may be taken by an unrelated process.
    private func killGroup(_ signal: Int32) {
        if process.isRunning { kill(-process.processIdentifier, signal) }
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
    var pid: pid_t { process.processIdentifier }

    /// Waits (bounded) until standard error holds a line matching `pattern`; returns the
    /// first capture group, or the whole match.
    func waitForStderr(_ pattern: String, timeout: Duration = .seconds(30)) async throws -> String {
        try await waitFor(pattern, in: { $0.stderr }, timeout: timeout)
    }

    /// Waits (bounded) until standard output holds a line matching `pattern`, as above.
    func waitForStdout(_ pattern: String, timeout: Duration = .seconds(30)) async throws -> String {
        try await waitFor(pattern, in: { $0.stdout }, timeout: timeout)
    }

    private func waitFor(
        _ pattern: String, in text: (SpawnedProcess) -> String, timeout: Duration
    ) async throws -> String {
        let regex = try Regex(pattern)
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let text = text(self)
            if let match = text.firstMatch(of: regex) {
                return match.output.count > 1 ? String(match.output[1].substring ?? "") : String(text[match.range])
            }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw HarnessError.notSeen(process: name, pattern: pattern, stderr: stderr)
    }

    /// Sends `signal` to the child and anything it started (its process group).
    func signal(_ signal: Int32) { killGroup(signal) }

    /// How a child ended.
    enum Termination: Equatable, CustomStringConvertible {
        case exited(Int32)
        case killed(by: Int32)

        var description: String {
            switch self {
            case .exited(let status): "exited with status \(status)"
            case .killed(let signal): "killed by signal \(signal)"
            }
        }
    }

    /// Waits (bounded) for the exit and for both pipes to be read to their end; returns how
    /// the child ended, and throws when it has not ended in time (a timeout is never taken
    /// for an answer).
    func waitForExit(timeout: Duration) async throws -> Termination {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if !process.isRunning, output.withLock({ $0.openPipes == 0 }) {
                return process.terminationReason == .exit
                    ? .exited(process.terminationStatus) : .killed(by: process.terminationStatus)
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw HarnessError.stillRunning(process: name, after: timeout, stderr: stderr)
    }
}

/// Starts every child, from one thread that lives as long as the test process.
///
/// Each child gets the parent-death signal SIGKILL (Linux `PR_SET_PDEATHSIG`), so that a test
/// run that crashes (a trap in a test) takes its children with it. `posix_spawn`, which
/// Foundation's `Process` uses, runs no code of ours between fork and exec, so the child is
/// util-linux `setpriv --pdeathsig KILL`, which sets it and execs the executable (same pid).
/// Linux sends that signal when the *thread* that forked the child ends, not the process:
/// the cooperative pool's threads are libdispatch workers, retired after a few idle seconds,
/// and a child forked from one would be killed mid-test. Hence this thread, which never ends.
/// (Left open: a test process killed in the microseconds between fork and setpriv's prctl.)
final class ChildSpawner: Sendable {
    static let shared = ChildSpawner()
    static let setpriv = URL(fileURLWithPath: "/usr/bin/setpriv")

    private let jobs = Mutex<[@Sendable () -> Void]>([])
    private let waiting = DispatchSemaphore(value: 0)

    private init() {
        let thread = Thread { [self] in
            while true {
                waiting.wait()
                let job = jobs.withLock { $0.removeFirst() }
                job()
            }
        }
        thread.name = "child-spawner"
        thread.start()
    }

    /// The command that runs `executable` with the parent-death signal set.
    static func command(_ executable: URL, _ arguments: [String]) -> (URL, [String]) {
        (setpriv, ["--pdeathsig", "KILL", "--", executable.path] + arguments)
    }

    /// Runs `process` from the spawner's thread; blocks until it has started (a few ms).
    func spawn(_ process: Process) throws {
        let done = DispatchSemaphore(value: 0)
        let outcome = Mutex<(any Error)?>(nil)
        jobs.withLock {
            $0.append {
                do { try process.run() } catch { outcome.withLock { $0 = error } }
                done.signal()
            }
        }
        waiting.signal()
        done.wait()
        if let error = outcome.withLock({ $0 }) { throw error }
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
    case stillRunning(process: String, after: Duration, stderr: String)
    case timedOut(waitingFor: String, last: String)

    var description: String {
        switch self {
        case .notSeen(let process, let pattern, let stderr):
            "\(process) never printed /\(pattern)/; its stderr:\n\(stderr.suffix(2_000))"
        case .stillRunning(let process, let after, let stderr):
            "\(process) still runs after \(after); its stderr:\n\(stderr.suffix(2_000))"
        case .timedOut(let what, let last):
            "timed out waiting for \(what); last seen: \(last)"
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
