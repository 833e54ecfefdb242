import Foundation
import Messages
import Testing

/// compose/install, staged under a folder (`--root`): what a Debian server would get, checked
/// with systemd's own tools, and each service started on the configuration it wrote.
@Suite("compose/install: binaries, users' folders, configuration and hardened systemd units", .serialized)
struct InstallTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("compose/install")
    static let services = [
        "bus-broker", "offer-registry", "candidate-registry", "matcher", "notifier", "statistics", "portail",
    ]

    /// Runs a short command to its end (SpawnedProcess wants processes that live a while: one
    /// that exits at once is gone before it can check its process group).
    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let bytes = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: bytes, as: UTF8.self))
    }

    static func install(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try run(script.path, arguments)
    }

    static func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
    }

    @Test("a staged install has every file with its mode; an upgrade keeps the configuration; bad arguments say why")
    func staged() async throws {
        let root = scratchDirectory("install")
        let bin = SpawnedProcess.binDirectory.path
        let (status, log) = try Self.install(["--root", root, "--bin", bin, "all"])
        #expect(status == 0, "\(log)")
        for service in Self.services {
            #expect(FileManager.default.isExecutableFile(atPath: "\(root)/opt/passerelle/bin/\(service)"))
            #expect(try Self.mode("\(root)/var/lib/passerelle/\(service)") == 0o750, "\(service)'s data")
            #expect(try Self.mode("\(root)/etc/passerelle/\(service).yaml") == 0o640, "\(service)'s configuration")
            let unit = try String(
                contentsOfFile: "\(root)/etc/systemd/system/passerelle-\(service).service", encoding: .utf8)
            for line in [
                "User=passerelle-\(service)", "NoNewPrivileges=yes", "ProtectSystem=strict",
                "ReadWritePaths=/var/lib/passerelle/\(service)", "PrivateTmp=yes", "Restart=on-failure",
                "ExecStart=/opt/passerelle/bin/\(service) --config /etc/passerelle/\(service).yaml",
            ] {
                #expect(unit.contains(line + "\n"), "\(service): \(line)")
            }
        }
        // An upgrade: the binary again, the operator's configuration kept as they edited it.
        let edited = "\(root)/etc/passerelle/matcher.yaml"
        try ("# edited by the operator\n" + String(contentsOfFile: edited, encoding: .utf8))
            .write(toFile: edited, atomically: true, encoding: .utf8)
        #expect(try Self.install(["--root", root, "--bin", bin, "matcher"]).status == 0)
        #expect(try String(contentsOfFile: edited, encoding: .utf8).hasPrefix("# edited by the operator"))
        // Refused, saying why.
        let unknown = try Self.install(["--root", root, "--bin", bin, "mailer"])
        #expect(unknown.status == 1 && unknown.output.contains("unknown service 'mailer'"), "\(unknown.output)")
        let open = try Self.install(["--root", root, "--bin", bin, "--listen", "0.0.0.0", "matcher"])
        #expect(open.status == 1 && open.output.contains("give --keys"), "\(open.output)")
        #expect(try Self.install(["--root", root, "--bin", bin]).status == 1)
    }

    @Test(
        "systemd-analyze verifies every unit (its binary in place) and rates its exposure; each service starts on the configuration written for it"
    )
    func unitsAndConfigurations() async throws {
        let root = scratchDirectory("install-units")
        let bin = SpawnedProcess.binDirectory.path
        #expect(try Self.install(["--root", root, "--bin", bin, "all"]).status == 0)
        let units = Self.services.map { "\(root)/etc/systemd/system/passerelle-\($0).service" }
        try #require(
            FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze"),
            "systemd-analyze is Debian's systemd, on every Debian server")
        // ExecStart must exist where the unit says: /opt/passerelle, in a private mount
        // namespace of its own (a tmpfs over /opt), so that this machine's /opt is not touched.
        if getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare") {
            let verify = try Self.run(
                "/usr/bin/unshare",
                [
                    "--mount", "--propagation", "private", "/bin/sh", "-c",
                    "mount -t tmpfs tmpfs /opt && mkdir /opt/passerelle && "
                        + "mount --bind \(root)/opt/passerelle /opt/passerelle && systemd-analyze verify \"$@\"",
                    "verify",
                ] + units)
            #expect(verify.status == 0, "systemd-analyze verify: \(verify.output)")
        }
        for unit in units {
            let security = try Self.run("/usr/bin/systemd-analyze", ["security", "--offline=true", unit])
            let score = security.output.firstMatch(of: /Overall exposure level for \S+: ([0-9.]+)/).flatMap {
                Double($0.1)
            }
            #expect(score.map { $0 <= 4.0 } == true, "\(unit): exposure \(String(describing: score))")
        }
        // Each service reads the YAML written for it (flags move it off the ports a running
        // system may hold) and answers /health.
        for service in Self.services {
            var arguments = ["--config", "\(root)/etc/passerelle/\(service).yaml", "--http", "127.0.0.1:0"]
            arguments +=
                service == "bus-broker"
                ? ["--publishers", "tcp://127.0.0.1:*", "--subscribers", "tcp://127.0.0.1:*"]
                : [
                    "--data-dir", scratchDirectory("installed-\(service)"), "--bus-publish", "tcp://127.0.0.1:9",
                    "--bus-subscribe", "tcp://127.0.0.1:9",
                ]
            if ["offer-registry", "candidate-registry", "matcher", "notifier"].contains(service) {
                arguments += ["--replay", "tcp://127.0.0.1:*"]
            }
            let process = try SpawnedProcess(service, arguments)
            let http = try await process.waitForStderr(#"address=(\S+) \[ServiceKit\] http listening"#)
            let health = try await request("GET", "http://\(http)/health", auth: .none)
            #expect(health.status == 200 || health.status == 503, "\(service): /health \(health.status)")
            #expect(health.json?["status"] != nil, "\(service): \(health.text)")
        }
    }
}
