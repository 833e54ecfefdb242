import Configuration
import Foundation
import Logging
import SystemPackage

/// The settings every Passerelle process shares (DESIGN.md, "Configuration").
///
/// Each has a flag, an environment variable and a YAML key; flags win over the
/// environment, the environment over the file given with `--config`, the file over
/// the defaults. Keys (YAML) and variables:
///
/// | key | variable | flag |
/// |---|---|---|
/// | `bus.publish` | `PASSERELLE_BUS_PUBLISH` | `--bus-publish` |
/// | `bus.subscribe` | `PASSERELLE_BUS_SUBSCRIBE` | `--bus-subscribe` |
/// | `dataDir` | `PASSERELLE_DATA_DIR` | `--data-dir` |
/// | `http` | `PASSERELLE_HTTP` | `--http` |
/// | `replay` | `PASSERELLE_REPLAY` | `--replay` |
/// | `keysDir` | `PASSERELLE_KEYS_DIR` | `--keys-dir` |
/// | `logLevel` | `PASSERELLE_LOG_LEVEL` | `--log-level` |
/// | `bus.highWaterMark` | `PASSERELLE_BUS_HIGH_WATER_MARK` | `--bus-high-water-mark` |
/// | `source` | `PASSERELLE_SOURCE` | `--source` |
/// | `insecure` | `PASSERELLE_INSECURE` | `--insecure` |
///
/// A service reads its own further keys from ``config`` the same way.
public struct ServiceSettings: Sendable {
    public var identity: ServiceIdentity
    public var busPublish: String
    public var busSubscribe: String
    public var dataDirectory: String
    /// HTTP listen address; `nil` when the process serves no HTTP.
    public var http: HTTPAddress?
    public var replay: String?
    public var keysDirectory: String?
    /// This instance's `source` on the bus, and its key identity (the service name by
    /// default; `matcher@kayes` for a second matcher).
    public var source: String
    /// Security as configured: `nil` when no keys folder is set.
    public var security: BusSecurity?
    /// Whether the operator allowed running without keys beyond loopback.
    public var insecure: Bool = false
    public var logLevel: Logger.Level
    /// Messages queued per peer before ZeroMQ drops (PUB) or holds back; `nil` keeps the
    /// Bus defaults, 0 is no limit.
    public var highWaterMark: Int32?
    /// The whole provider hierarchy, for the service's own keys.
    public var config: ConfigReader

    /// Resolves the settings of `identity` from flags, environment, file and defaults.
    ///
    /// - Parameters:
    ///   - flags: values given on the command line, by key (see ``CommonOptions``).
    ///   - configFile: a YAML file (`--config`); `PASSERELLE_CONFIG` names one too.
    public static func load(
        _ identity: ServiceIdentity,
        flags: [String: String] = [:],
        configFile: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) async throws(SettingsError) -> ServiceSettings {
        var defaults: [AbsoluteConfigKey: ConfigValue] = [
            "bus.publish": "tcp://127.0.0.1:7100",
            "bus.subscribe": "tcp://127.0.0.1:7101",
            "dataDir": "./data",
            "logLevel": "info",
        ]
        if let http = identity.defaultHTTP { defaults["http"] = .init(.string(http), isSecret: false) }
        if let replay = identity.defaultReplay { defaults["replay"] = .init(.string(replay), isSecret: false) }
        // Flags are text, like environment variables: read them the same way, so that a
        // number given as a flag (--delivery-heartbeat-ms 100) is a number, not ignored.
        var given: [String: String] = [:]
        for (key, value) in flags { given[Self.variableName(key)] = value }

        var providers: [any ConfigProvider] = [
            EnvironmentVariablesProvider(environmentVariables: given),
            EnvironmentVariablesProvider(environmentVariables: environment).prefixKeys(with: "passerelle"),
        ]
        if let path = configFile ?? environment["PASSERELLE_CONFIG"] {
            do {
                providers.append(try await FileProvider<YAMLSnapshot>(filePath: FilePath(path)))
            } catch {
                throw SettingsError.unreadableFile(path: path, reason: "\(error)")
            }
        }
        providers.append(InMemoryProvider(name: "defaults", values: defaults))
        var settings = try ServiceSettings(identity: identity, config: ConfigReader(providers: providers))
        if let keysDirectory = settings.keysDirectory {
            do {
                settings.security = try BusSecurity(
                    directory: KeysDirectory(path: keysDirectory), identity: settings.source,
                    logger: LoggingSetup.logger(for: settings))
            } catch {
                throw SettingsError.invalid(key: "keysDir", reason: "\(error)")
            }
        }
        return settings
    }

    init(identity: ServiceIdentity, config: ConfigReader) throws(SettingsError) {
        self.identity = identity
        self.config = config
        busPublish = try Self.endpoint(config, "bus.publish")
        busSubscribe = try Self.endpoint(config, "bus.subscribe")
        dataDirectory = config.string(forKey: "dataDir", default: "./data")
        if let text = config.string(forKey: "http") {
            do { http = try HTTPAddress(parsing: text) } catch {
                throw SettingsError.invalid(key: "http", reason: error.reason)
            }
        }
        if config.string(forKey: "replay") != nil { replay = try Self.endpoint(config, "replay") }
        keysDirectory = config.string(forKey: "keysDir").flatMap { $0.isEmpty ? nil : $0 }
        source = config.string(forKey: "source", default: identity.name)
        guard Identity.isValid(source) else {
            throw SettingsError.invalid(
                key: "source", reason: "'\(source)' is not a source name (a-z, 0-9, -, _ and @, e.g. matcher@kayes)")
        }
        let insecureText = config.string(forKey: "insecure", default: "false").lowercased()
        guard
            let insecureFlag = ["true": true, "1": true, "yes": true, "false": false, "0": false, "no": false][
                insecureText]
        else {
            throw SettingsError.invalid(key: "insecure", reason: "'\(insecureText)' is not true or false")
        }
        insecure = insecureFlag
        if let text = config.string(forKey: "bus.highWaterMark") {
            guard let value = Int32(text), value >= 0 else {
                throw SettingsError.invalid(
                    key: "bus.highWaterMark", reason: "'\(text)' is not a whole number of messages (0 is no limit)")
            }
            highWaterMark = value
        }
        let level = config.string(forKey: "logLevel", default: "info")
        guard let parsed = Logger.Level(rawValue: level.lowercased()) else {
            throw SettingsError.invalid(
                key: "logLevel",
                reason: "'\(level)' is not one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        logLevel = parsed
        if keysDirectory == nil, !insecure {
            // Fail closed: personal data never crosses a network in clear text by accident.
            var open: [(String, String)] = [("bus.publish", busPublish), ("bus.subscribe", busSubscribe)]
            if let replay { open.append(("replay", replay)) }
            if let http { open.append(("http", http.host)) }
            for (key, address) in open where !Loopback.contains(address) {
                throw SettingsError.invalid(
                    key: key,
                    reason: "'\(address)' is beyond loopback and no keys are set: set PASSERELLE_KEYS_DIR "
                        + "(passerelle keys init DIR), or pass --insecure if this network is trusted")
            }
        }
    }

    /// `delivery.heartbeatMilliseconds` → `DELIVERY_HEARTBEAT_MILLISECONDS`, as the
    /// environment names it (without the `PASSERELLE_` prefix).
    static func variableName(_ key: String) -> String {
        var name = ""
        for character in key {
            if character == "." {
                name += "_"
            } else if character.isUppercase, let last = name.last, last != "_" {
                name += "_" + character.uppercased()
            } else {
                name += character.uppercased()
            }
        }
        return name
    }

    /// A service's own setting by its dotted key (`matching.threshold`), or nil when unset.
    public func value(_ key: String) -> String? {
        config.string(forKey: ConfigKey(key.split(separator: ".").map(String.init)))
    }

    /// A number setting within `range`, or `defaultValue` when unset (nil: no default);
    /// anything else is refused with the key, the value and the range.
    public func number(
        _ key: String, default defaultValue: Double? = nil, in range: ClosedRange<Double>
    )
        throws(SettingsError) -> Double?
    {
        guard let text = value(key), !text.isEmpty else { return defaultValue }
        guard let number = Double(text), number.isFinite, range.contains(number) else {
            throw SettingsError.invalid(
                key: key,
                reason:
                    "'\(text)' is not a number from \(Self.format(range.lowerBound)) to \(Self.format(range.upperBound))"
            )
        }
        return number
    }

    /// A whole-number setting within `range`, or `defaultValue` when unset.
    public func integer(
        _ key: String, default defaultValue: Int, in range: ClosedRange<Int>
    ) throws(SettingsError) -> Int {
        guard let text = value(key), !text.isEmpty else { return defaultValue }
        guard let number = Int(text), range.contains(number) else {
            throw SettingsError.invalid(
                key: key, reason: "'\(text)' is not a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    /// One of `choices` (case-sensitive), or `defaultValue` when unset.
    public func choice<Choice: RawRepresentable<String> & CaseIterable>(
        _ key: String, default defaultValue: Choice
    )
        throws(SettingsError) -> Choice
    {
        guard let text = value(key), !text.isEmpty else { return defaultValue }
        guard let choice = Choice(rawValue: text) else {
            throw SettingsError.invalid(
                key: key, reason: "'\(text)' is not one of \(Choice.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return choice
    }

    private static func format(_ number: Double) -> String {
        number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }

    static func endpoint(_ config: ConfigReader, _ key: String) throws(SettingsError) -> String {
        let value = config.string(forKey: ConfigKey(key.split(separator: ".").map(String.init)), default: "")
        let schemes = ["tcp://", "ipc://", "inproc://"]
        guard schemes.contains(where: { value.hasPrefix($0) }), value.count > 8 else {
            throw SettingsError.invalid(
                key: key, reason: "'\(value)' is not a ZeroMQ endpoint such as tcp://127.0.0.1:7100")
        }
        return value
    }
}

/// Whether an endpoint or host stays on this machine.
enum Loopback {
    static func contains(_ address: String) -> Bool {
        if address.hasPrefix("ipc://") || address.hasPrefix("inproc://") { return true }
        var host = address.hasPrefix("tcp://") ? String(address.dropFirst(6)) : address
        if host.hasPrefix("[") {
            host = String(host.dropFirst().prefix { $0 != "]" })
        } else if address.hasPrefix("tcp://"), let colon = host.lastIndex(of: ":") {
            host = String(host[..<colon])
        }
        // A connect endpoint may name a source interface first: tcp://eth0;10.0.0.1:7100.
        if let semicolon = host.lastIndex(of: ";") { host = String(host[host.index(after: semicolon)...]) }
        if host == "localhost" || host == "::1" { return true }
        let parts = host.split(separator: ".")
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }
}

/// A `host:port` HTTP listen address.
public struct HTTPAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public init(parsing text: String) throws(SettingsError) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65_535).contains(port), colon != text.startIndex
        else {
            throw SettingsError.invalid(key: "http", reason: "'\(text)' is not host:port, such as 127.0.0.1:8081")
        }
        host = String(text[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// A setting that cannot be used; the message names the key and what is wrong.
public enum SettingsError: Error, Sendable, CustomStringConvertible {
    case invalid(key: String, reason: String)
    case unreadableFile(path: String, reason: String)

    var reason: String {
        switch self {
        case .invalid(_, let reason), .unreadableFile(_, let reason): reason
        }
    }

    public var description: String {
        switch self {
        case .invalid(let key, let reason): "setting '\(key)': \(reason)"
        case .unreadableFile(let path, let reason): "configuration file \(path): \(reason)"
        }
    }
}

extension ServiceSettings {
    /// Settings for a service built inside a test process (``ServiceCommand/build(settings:)``
    /// then `application.test(.router)`): its own data folder, a bus on `inproc://`
    /// endpoints of its own (what it publishes reaches no one unless the test listens there),
    /// replay on a port the kernel chooses, no keys; `more` adds settings by key.
    public static func inProcess(
        _ identity: ServiceIdentity, dataDirectory: String, _ more: [String: String] = [:]
    ) async throws(SettingsError) -> ServiceSettings {
        let bus = "inproc://\(identity.name)-\(UInt64.random(in: 0...UInt64.max))"
        var flags = [
            "dataDir": dataDirectory, "bus.publish": bus + "-publish", "bus.subscribe": bus + "-subscribe",
            "logLevel": "warning",
        ]
        if identity.defaultReplay != nil { flags["replay"] = "tcp://127.0.0.1:*" }
        flags.merge(more) { $1 }
        return try await load(identity, flags: flags, environment: [:])
    }
}
