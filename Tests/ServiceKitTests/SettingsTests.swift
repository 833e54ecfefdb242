import Bus
import Configuration
import Foundation
import Logging
import ServiceKit
import Testing

@Suite("Settings: flag over environment over file over default")
struct SettingsTests {
    func yamlFile(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("passerelle-\(UUID().uuidString).yaml")
            .path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("with nothing given, the defaults of DESIGN.md apply")
    func defaults() async throws {
        let settings = try await ServiceSettings.load(.offerRegistry, environment: [:])
        #expect(settings.busPublish == "tcp://127.0.0.1:7100")
        #expect(settings.busSubscribe == "tcp://127.0.0.1:7101")
        #expect(settings.dataDirectory == "./data")
        #expect(settings.http == HTTPAddress(host: "127.0.0.1", port: 8081))
        #expect(settings.replay == "tcp://127.0.0.1:7110")
        #expect(settings.keysDirectory == nil)
        #expect(settings.logLevel == .info)
    }

    @Test("each layer overrides the ones below it, key by key")
    func precedence() async throws {
        let file = try yamlFile(
            """
            bus:
              publish: tcp://10.0.0.1:7100
              subscribe: tcp://10.0.0.1:7101
            dataDir: /srv/file
            logLevel: debug
            http: 0.0.0.0:9000
            insecure: true
            matcher:
              topCandidates: 7
            """)
        let environment = [
            "PASSERELLE_BUS_SUBSCRIBE": "tcp://10.0.0.2:7101",
            "PASSERELLE_DATA_DIR": "/srv/env",
            "PASSERELLE_LOG_LEVEL": "warning",
        ]
        let settings = try await ServiceSettings.load(
            .matcher, flags: ["dataDir": "/srv/flag"], configFile: file, environment: environment)
        #expect(settings.busPublish == "tcp://10.0.0.1:7100", "file over default")
        #expect(settings.busSubscribe == "tcp://10.0.0.2:7101", "environment over file")
        #expect(settings.dataDirectory == "/srv/flag", "flag over environment")
        #expect(settings.logLevel == .warning)
        #expect(settings.http == HTTPAddress(host: "0.0.0.0", port: 9000))
        #expect(settings.replay == "tcp://127.0.0.1:7130", "default still there")
        #expect(settings.config.int(forKey: "matcher.topCandidates") == 7, "a service's own key")
    }

    @Test("PASSERELLE_CONFIG names the file when --config does not")
    func configFromEnvironment() async throws {
        let file = try yamlFile("dataDir: /srv/passerelle\n")
        let settings = try await ServiceSettings.load(.notifier, environment: ["PASSERELLE_CONFIG": file])
        #expect(settings.dataDirectory == "/srv/passerelle")
    }

    @Test("delivery and queue settings come through flag, environment and file alike")
    func deliverySettings() async throws {
        let environment = [
            "PASSERELLE_DELIVERY_HEARTBEAT_MILLISECONDS": "250", "PASSERELLE_BUS_HIGH_WATER_MARK": "5000",
        ]
        let file = try yamlFile("delivery:\n  retentionDays: 30\n")
        let settings = try await ServiceSettings.load(
            .matcher, flags: ["bus.highWaterMark": "0"], configFile: file, environment: environment)
        #expect(settings.config.int(forKey: "delivery.heartbeatMilliseconds") == 250)
        #expect(settings.config.int(forKey: "delivery.retentionDays") == 30)
        #expect(settings.highWaterMark == 0, "the flag wins; 0 is no limit")
        #expect(settings.socketOptions.sendHighWaterMark == 0)
        await #expect {
            _ = try await ServiceSettings.load(.matcher, environment: ["PASSERELLE_BUS_HIGH_WATER_MARK": "lots"])
        } throws: { error in
            "\(error)".hasPrefix("setting 'bus.highWaterMark': 'lots' is not a whole number")
        }
    }

    @Test("a keys folder without this service's key is refused, naming the file")
    func keysMissing() async throws {
        await #expect {
            _ = try await ServiceSettings.load(.notifier, environment: ["PASSERELLE_KEYS_DIR": "/etc/passerelle/keys"])
        } throws: { error in
            "\(error)".hasPrefix("setting 'keysDir': /etc/passerelle/keys/notifier.secret is missing")
        }
    }

    @Test(
        "without keys, anything beyond loopback is refused unless --insecure",
        arguments: [
            ["bus.publish": "tcp://10.1.2.3:7100"], ["bus.subscribe": "tcp://ministere.ml:7101"],
            ["replay": "tcp://*:7130"], ["replay": "tcp://0.0.0.0:7130"], ["http": "0.0.0.0:8083"],
            ["http": "[2001:db8::1]:8083"],
        ])
    func failClosed(flags: [String: String]) async throws {
        await #expect {
            _ = try await ServiceSettings.load(.matcher, flags: flags, environment: [:])
        } throws: { error in
            "\(error)".contains("is beyond loopback and no keys are set")
        }
        let allowed = try await ServiceSettings.load(
            .matcher, flags: flags.merging(["insecure": "true"]) { $1 }, environment: [:])
        #expect(allowed.insecure)
    }

    @Test(
        "loopback, ipc and inproc need no keys",
        arguments: [
            "tcp://127.0.0.1:7100", "tcp://localhost:7100", "tcp://[::1]:7100", "ipc:///tmp/bus", "inproc://bus",
            "tcp://127.8.9.10:7100",
        ])
    func loopbackIsFine(endpoint: String) async throws {
        let settings = try await ServiceSettings.load(.matcher, flags: ["bus.publish": endpoint], environment: [:])
        #expect(settings.busPublish == endpoint)
    }

    @Test("the source defaults to the service's name and must be a source name")
    func sourceName() async throws {
        #expect(try await ServiceSettings.load(.matcher, environment: [:]).source == "matcher")
        #expect(
            try await ServiceSettings.load(.matcher, environment: ["PASSERELLE_SOURCE": "matcher@kayes"]).source
                == "matcher@kayes")
        await #expect {
            _ = try await ServiceSettings.load(.matcher, flags: ["source": "Matcher Kayes"], environment: [:])
        } throws: { error in
            "\(error)".hasPrefix("setting 'source'")
        }
    }

    @Test(
        "a bad value is refused with the key and the reason",
        arguments: [
            (["http": "localhost"], "setting 'http': 'localhost' is not host:port"),
            (["http": "127.0.0.1:99999"], "setting 'http'"),
            (["bus.publish": "localhost:7100"], "setting 'bus.publish': 'localhost:7100' is not a ZeroMQ endpoint"),
            (["logLevel": "loud"], "setting 'logLevel': 'loud' is not one of trace, debug"),
        ])
    func badValues(flags: [String: String], message: String) async throws {
        await #expect {
            _ = try await ServiceSettings.load(.matcher, flags: flags, environment: [:])
        } throws: { error in
            "\(error)".hasPrefix(message)
        }
    }

    @Test("a configuration file that is missing or not YAML names the file")
    func badFile() async throws {
        let missing = "/nonexistent/passerelle.yaml"
        await #expect {
            _ = try await ServiceSettings.load(.matcher, configFile: missing, environment: [:])
        } throws: { error in
            "\(error)".hasPrefix("configuration file \(missing)")
        }
        let broken = try yamlFile("bus: [unclosed\n")
        await #expect {
            _ = try await ServiceSettings.load(.matcher, configFile: broken, environment: [:])
        } throws: { error in
            "\(error)".hasPrefix("configuration file \(broken)")
        }
    }
}

@Suite("Settings: numbers given as flags")
struct NumericFlagTests {
    @Test("a number given as a flag is read as a number, as from the environment")
    func numericFlag() async throws {
        let settings = try await ServiceSettings.load(
            .matcher, flags: ["delivery.heartbeatMilliseconds": "100"], environment: [:])
        #expect(settings.config.int(forKey: "delivery.heartbeatMilliseconds") == 100)
    }
}
