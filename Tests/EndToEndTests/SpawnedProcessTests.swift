import Foundation
import ServiceTesting
import Synchronization
import Testing

/// The harness's own promise: no child outlives the test run that started it.
@Suite("Spawned children never outlive the test run", .timeLimit(.minutes(2)))
struct SpawnedProcessTests {
    /// Set in the test runner that `crashedRunTakesItsChildren` starts (to a file that tells
    /// it when to crash): only there does `crashingRun` do anything.
    static let crashingRunVariable = "PASSERELLE_CRASHING_RUN"

    @Test("a test run that crashes (a trap) takes the executables it started with it")
    func crashedRunTakesItsChildren() async throws {
        // The test runner itself, running only `crashingRun`, as a test run of its own.
        let go = scratchDirectory("crashing-run") + "/go"
        let runner = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        let run = try SpawnedProcess(
            executable: runner, name: "crashing test run",
            ["--testing-library", "swift-testing", "--filter", "crashingRun"],
            environment: [
                Self.crashingRunVariable: go, "PASSERELLE_BIN_DIR": SpawnedProcess.binDirectory.path,
                // No backtrace: the crash is the point, and symbolicating one takes seconds.
                "SWIFT_BACKTRACE": "enable=no",
            ])
        let pid = try #require(pid_t(try await run.waitForStderr(#"started bus-broker pid=(\d+)"#)))
        let broker = try #require(ProcessState(pid), "the crashing run's broker runs")
        FileManager.default.createFile(atPath: go, contents: nil)  // now crash
        let ended = try await run.waitForExit(timeout: .seconds(60))
        #expect(ended == .killed(by: SIGILL) || ended == .killed(by: SIGTRAP), "\(ended): \(run.stderr.suffix(1_000))")
        try await broker.waitUntilGone(timeout: .seconds(10))
    }

    /// Does its work only inside the run that `crashedRunTakesItsChildren` starts: starts a
    /// bus-broker the usual way, says its pid, then crashes as a failed precondition does.
    @Test(
        "(a crashing test run, started by the test above)",
        .enabled(if: ProcessInfo.processInfo.environment[Self.crashingRunVariable] != nil))
    func crashingRun() async throws {
        let go = try #require(ProcessInfo.processInfo.environment[Self.crashingRunVariable])
        let broker = try await RunningBroker.start()
        FileHandle.standardError.write(Data("crashing test run: started bus-broker pid=\(broker.process.pid)\n".utf8))
        try await waitUntil("the go to crash", timeout: .seconds(30)) {
            FileManager.default.fileExists(atPath: go) ? true : nil
        }
        fatalError("a test run that crashes, on purpose")
    }

    @Test("a child outlives the thread that started it (the parent-death signal follows the thread)")
    func childOutlivesItsThread() async throws {
        // A thread of its own, which ends once the broker is spawned.
        let started = Mutex<(thread: pid_t, process: SpawnedProcess?, error: (any Error)?)>((0, nil, nil))
        let thread = Thread {
            // "PID/task/TID": this thread's id (glibc's gettid() is not visible from Swift).
            let link = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self")) ?? ""
            let tid = pid_t(link.split(separator: "/").last ?? "") ?? -1
            do {
                let process = try SpawnedProcess(
                    "bus-broker",
                    [
                        "--publishers", "tcp://127.0.0.1:*", "--subscribers", "tcp://127.0.0.1:*", "--http",
                        "127.0.0.1:0",
                    ])
                started.withLock { $0 = (tid, process, nil) }
            } catch {
                started.withLock { $0 = (tid, nil, error) }
            }
        }
        thread.start()
        let tid = try await waitUntil("the spawning thread to start the broker", timeout: .seconds(10)) {
            started.withLock { $0.thread != 0 ? $0.thread : nil }
        }
        if let error = started.withLock({ $0.error }) { throw error }
        let broker = try #require(started.withLock { $0.process })
        // The kernel sends the parent-death signal while the thread exits, before it drops the
        // thread's /proc entry: once the entry is gone, a signal (if any) has been sent.
        try await waitUntil("the spawning thread to end", timeout: .seconds(10)) {
            FileManager.default.fileExists(atPath: "/proc/self/task/\(tid)") ? nil : true
        }
        // A process killed then cannot answer: the broker answering /health is alive.
        let http = try await broker.waitForStderr(#"address=(\S+) \[ServiceKit\] http listening"#)
        #expect(try await httpGet("http://\(http)/health").contains("\"status\""))
        #expect(broker.isRunning)
    }

    @Test("letting go of a child kills its whole process group, grandchildren too")
    func groupIsKilled() async throws {
        var shell: SpawnedProcess? = try SpawnedProcess(
            executable: URL(fileURLWithPath: "/bin/sh"), name: "sh",
            ["-c", "sleep 300 & echo \"grandchild=$!\"; wait"])
        let pid = try #require(pid_t(try await shell!.waitForStdout(#"grandchild=(\d+)"#)))
        let grandchild = try #require(ProcessState(pid), "the shell's sleep runs")
        shell = nil  // deinit: SIGKILL to the group
        try await grandchild.waitUntilGone(timeout: .seconds(10))
    }
}

/// A process seen in /proc, told apart from a later one with the same pid by its start time.
struct ProcessState {
    let pid: pid_t
    let startTime: String

    /// The process `pid` if it runs (a zombie has ended).
    init?(_ pid: pid_t) {
        guard let (state, start) = Self.read(pid), state != "Z", state != "X" else { return nil }
        self.pid = pid
        startTime = start
    }

    var isGone: Bool {
        guard let (state, start) = Self.read(pid) else { return true }
        return state == "Z" || state == "X" || start != startTime
    }

    /// Waits (bounded) until it has ended; if it has not, kills it (nothing is left behind)
    /// and throws.
    func waitUntilGone(timeout: Duration) async throws {
        do {
            try await waitUntil("pid \(pid) to end", timeout: timeout, interval: .milliseconds(20)) {
                isGone ? true : nil
            }
        } catch {
            if !isGone { kill(pid, SIGKILL) }
            throw error
        }
    }

    /// State letter and start time (fields 3 and 22 of /proc/PID/stat).
    private static func read(_ pid: pid_t) -> (String, String)? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // After "pid (comm) ": state is field 3; start time field 22, so the 20th from there.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 19 else { return nil }
        return (String(fields[0]), String(fields[19]))
    }
}
