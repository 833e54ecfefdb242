import Bus
import Foundation
import Logging
import ServiceKit

/// The end-to-end tests run with security on when `PASSERELLE_TEST_SECURITY=1` (as
/// `compose/dev test` runs them): one keys folder for the test process, made the way
/// `passerelle keys init` makes one, plus identities for the tests' own publishers and API
/// keys for each role. Every spawned process then gets `PASSERELLE_KEYS_DIR`, every HTTP
/// request an officer's key, and in-process sockets the CURVE keys of their identity.
enum TestSecurity {
    static var isOn: Bool { ProcessInfo.processInfo.environment["PASSERELLE_TEST_SECURITY"] == "1" }

    /// The keys folder and the API keys of each role (made once per test process).
    struct Keys: Sendable {
        let directory: String
        let api: [APIKeys.Role: String]
        /// An officer's key, sent by `request(…)` by default.
        var officer: String { api[.officer]! }
    }

    /// Identities the tests publish or read as; each may publish the test streams.
    static let testIdentities = [
        "e2e", "e2e-publisher", "python-client", "fixture", "other", "fixture-publisher", "fixture-subscriber",
        "fixture-counter",
        "bus-tap-contact", "observer", "intruder",
    ]

    static let keys: Keys = {
        let directory = scratchDirectory("keys")
        let folder = KeysDirectory(path: directory)
        do {
            // The default rules, then the tests' own identities (`intruder` has no rights at all).
            let streams = "[e2e., offer., candidate., match., notification.]"
            var acl = AccessControl.defaultYAML.replacingOccurrences(
                of: "bus-tap:\n  publish: []\n  subscribe: [offer., candidate., match., notification.]",
                with: "bus-tap:\n  publish: []\n  subscribe: [e2e., offer., candidate., match., notification.]")
            for identity in testIdentities where identity != "intruder" && identity != "bus-tap-contact" {
                // The delivery fixtures replay a registry's history, contact details included.
                let own =
                    identity.hasPrefix("fixture-")
                    ? streams.replacingOccurrences(of: "]", with: ", contact.]") : streams
                acl += "\(identity):\n  publish: \(own)\n  subscribe: \(own)\n"
            }
            acl = acl.replacingOccurrences(
                of:
                    "bus-tap-contact:\n  publish: []\n  subscribe: [offer., candidate., contact., match., notification.]",
                with:
                    "bus-tap-contact:\n  publish: []\n  subscribe: [e2e., offer., candidate., contact., match., notification.]"
            )
            try folder.create(
                identities: [
                    "bus-broker", "offer-registry", "candidate-registry", "matcher", "notifier", "statistics",
                    "portail",
                    "bus-tap",
                ] + testIdentities, acl: acl)
            var clients = APIKeys()
            var api: [APIKeys.Role: String] = [:]
            for role in APIKeys.Role.allCases {
                api[role] = try clients.create(name: "test-\(role.rawValue)", role: role)
            }
            try folder.save(clients)
            return Keys(directory: directory, api: api)
        } catch {
            fatalError("test keys could not be made: \(error)")
        }
    }()

    /// Environment for a spawned process: the keys folder and an officer's API key.
    static var environment: [String: String] {
        guard isOn else { return [:] }
        return ["PASSERELLE_KEYS_DIR": keys.directory, "PASSERELLE_API_KEY": keys.officer]
    }

    /// The security of `identity`, for in-process sockets of the tests.
    static func security(_ identity: String) throws -> BusSecurity {
        try BusSecurity(
            directory: KeysDirectory(path: keys.directory), identity: identity,
            logger: Logger(label: "test-\(identity)"))
    }

    /// Options to connect to the broker as `identity` (plain options with security off,
    /// unless `always`: the security tests run with keys whatever the mode).
    static func brokerOptions(
        _ identity: String, _ base: SocketOptions = SocketOptions(), always: Bool = false
    ) throws -> SocketOptions {
        guard isOn || always else { return base }
        return try security(identity).clientOptions(base, server: KeysDirectory.brokerIdentity)
    }

    /// The environment that switches security on for a spawned process, whatever the mode.
    static var forced: [String: String] {
        ["PASSERELLE_KEYS_DIR": keys.directory, "PASSERELLE_API_KEY": keys.officer]
    }

    /// A copy of the test keys folder, for a test that revokes keys (others share the first).
    static func privateCopy() throws -> String {
        let copy = scratchDirectory("keys-copy")
        try FileManager.default.removeItem(atPath: copy)
        try FileManager.default.copyItem(atPath: keys.directory, toPath: copy)
        return copy
    }
}
