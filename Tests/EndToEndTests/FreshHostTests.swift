import Foundation
import Messages
import ServiceTesting
import Testing

/// A fresh server, made on this machine: PID, mount and network namespaces with systemd as
/// their PID 1, overlays over /etc, /opt and /var and its own /run, /tmp and /dev/shm (so that
/// nothing this machine holds is touched). compose/install runs in it as an operator would run it on a Debian server, with
/// security on, and the test, from outside, finds every unit started, running as its own
/// user, and every service answering /health over the host's link.
@Suite(
    "a fresh host in namespaces, systemd its PID 1: compose/install starts every unit, each answers /health",
    .serialized, .timeLimit(.minutes(4)),
    .enabled(if: getuid() == 0, "needs root: PID, mount and network namespaces"))
struct FreshHostTests {
    static let systemd = "/lib/systemd/systemd"

    /// Boots systemd in namespaces of its own (`--kill-child`: it dies with unshare, and every
    /// process of its PID namespace with it), on overlays whose upper layers live in `scratch`.
    static func boot(_ scratch: String) throws -> SpawnedProcess {
        let script = """
            set -e
            for d in etc opt var; do
                mkdir -p "$0/$d-upper" "$0/$d-work"
                mount -t overlay overlay -o "lowerdir=/$d,upperdir=$0/$d-upper,workdir=$0/$d-work" "/$d"
            done
            mount -t tmpfs tmpfs /run
            # systemd-tmpfiles empties /tmp at boot: the host's own, and this machine's /tmp
            # with it, were it not a tmpfs here. The scratch folder (the operator's keys) is
            # at /mnt inside.
            mount --bind "$0" /mnt
            # The build, as if carried to the server (/mnt/bin); hidden where it was built, so
            # that an executable finds nothing there (Portail's pages: beside it, or nowhere).
            mkdir -p /mnt/bin
            mount --bind "$1" /mnt/bin
            mount -t tmpfs tmpfs "$1"
            mount -t tmpfs tmpfs /tmp
            mount -t tmpfs tmpfs /dev/shm
            ip link set lo up
            exec env container=passerelle-test \(systemd) --system --unit=basic.target
            """
        return try SpawnedProcess(
            executable: URL(fileURLWithPath: "/usr/bin/unshare"), name: "fresh-host",
            [
                "--pid", "--fork", "--kill-child", "--mount", "--uts", "--ipc", "--net", "--cgroup", "--mount-proc",
                "--propagation", "private", "/bin/bash", "-c", script, scratch,
                SpawnedProcess.binDirectory.resolvingSymlinksInPath().path,
            ])
    }

    /// Runs `arguments` inside the host's namespaces (all of them).
    static func inside(_ pid: Int32, _ arguments: [String]) throws -> (status: Int32, output: String) {
        try InstallTests.run("/usr/bin/nsenter", ["-t", "\(pid)", "-a"] + arguments)
    }

    @Test("systemd runs compose/install's units with security on; /health answers on the host's address")
    func installOnFreshHost() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.systemd), "Debian's systemd is on every server")
        let scratch = scratchDirectory("fresh-host")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let host = try Self.boot(scratch)
        // systemd is unshare's only child.
        let unshare = host.processIdentifier
        let pid = try await waitUntil("systemd started in the namespaces") { () -> Int32? in
            let children = try? String(contentsOfFile: "/proc/\(unshare)/task/\(unshare)/children", encoding: .utf8)
            return children.flatMap { Int32($0.split(separator: " ").first ?? "") }
        }
        var failure: (any Error)?
        do { try await Self.installAndCheck(pid, scratch) } catch { failure = error }
        // A clean shutdown; `--kill-child` and SpawnedProcess's group kill cover the rest.
        _ = try? Self.inside(pid, ["systemctl", "poweroff"])
        _ = try? await host.waitForExit(timeout: .seconds(30))
        if let failure { throw failure }
    }

    static func installAndCheck(_ pid: Int32, _ scratch: String) async throws {
        _ = try await waitUntil("systemd up (is-system-running)", interval: .milliseconds(250)) { () -> Bool? in
            let state = try Self.inside(pid, ["systemctl", "is-system-running"]).output
            return state.hasPrefix("running") || state.hasPrefix("degraded") ? true : nil
        }
        // The host's link: a veth pair, this side 10.78.0.1, the host 10.78.0.2 (gone with its namespace).
        let link = "fh\(getpid() % 100_000)"
        let ip = "/usr/sbin/ip"
        #expect(
            try InstallTests.run(ip, ["link", "add", link, "type", "veth", "peer", "name", "eth0", "netns", "\(pid)"])
                .status == 0)
        for command in [["addr", "add", "10.78.0.1/24", "dev", link], ["link", "set", link, "up"]] {
            #expect(try InstallTests.run(ip, command).status == 0)
        }
        for command in [["ip", "addr", "add", "10.78.0.2/24", "dev", "eth0"], ["ip", "link", "set", "eth0", "up"]] {
            #expect(try Self.inside(pid, command).status == 0)
        }
        // The operator's keys, made elsewhere and carried to the server.
        let keys = scratch + "/keys"
        let passerelle = SpawnedProcess.binDirectory.appendingPathComponent("passerelle").path
        #expect(try InstallTests.run(passerelle, ["keys", "init", keys]).status == 0)
        let created = try InstallTests.run(
            passerelle, ["keys", "api", "create", "--role", "officer", "--name", "operator", "--keys-dir", keys])
        let officer = String(created.output.split(separator: "\n").last ?? "")
        let install = try Self.inside(
            pid,
            [
                InstallTests.script.path, "--bin", "/mnt/bin", "--listen", "10.78.0.2", "--keys",
                "/mnt/keys", "all",
            ])
        #expect(install.status == 0, "compose/install: \(install.output)")
        // Nothing of it on this machine: the overlays took it.
        #expect(!FileManager.default.fileExists(atPath: "/etc/systemd/system/passerelle-matcher.service"))
        let ports = [
            "bus-broker": 8090, "offer-registry": 8081, "candidate-registry": 8082, "matcher": 8083, "notifier": 8084,
            "statistics": 8085, "portail": 8080,
        ]
        for (service, port) in ports.sorted(by: { $0.value < $1.value }) {
            let health = try await waitUntil("\(service) answering /health at 10.78.0.2:\(port)") {
                let answer = try? await request("GET", "http://10.78.0.2:\(port)/health", auth: .none)
                return answer?.status == 200 ? answer : nil
            }
            #expect(health.json?["status"] != nil, "\(service): \(health.text)")
            // Started by systemd, as its own user, and not restarted since (a crash would have been).
            let unit = "passerelle-\(service)"
            let shown = try Self.inside(pid, ["systemctl", "show", "-p", "ActiveState,NRestarts,MainPID", unit]).output
            let main = shown.firstMatch(of: /MainPID=(\d+)/).map { String($0.1) } ?? "0"
            let user = try Self.inside(pid, ["stat", "-c", "%U", "/proc/\(main)"]).output
            guard shown.contains("ActiveState=active"), shown.contains("NRestarts=0"), user.hasPrefix("passerelle-")
            else {
                let journal = try Self.inside(pid, ["journalctl", "-u", unit, "-n", "30", "--no-pager"])
                Issue.record("\(unit): \(shown) user \(user); its journal:\n\(journal.output)")
                continue
            }
        }
        // Portail's pages, from the bundle installed beside it.
        let signIn = try await request("GET", "http://10.78.0.2:8080/connexion", auth: .none)
        #expect(signIn.status == 200 && signIn.text.contains("Connexion"), "/connexion: \(signIn.status)")
        // Security on: the API needs a key; the operator's officer key opens it.
        #expect(try await request("GET", "http://10.78.0.2:8081/offers", auth: .none).status == 401)
        #expect(try await request("GET", "http://10.78.0.2:8081/offers", auth: .key(officer)).status == 200)
    }
}
