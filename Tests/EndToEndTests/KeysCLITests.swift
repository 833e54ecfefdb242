import Bus
import Foundation
import ServiceKit
import Testing

@Suite("passerelle keys: the bus's keys folder, as the built CLI makes it", .timeLimit(.minutes(2)))
struct KeysCLITests {
    func run(_ arguments: [String]) async throws -> SpawnedProcess {
        let process = try SpawnedProcess("passerelle", arguments, environment: ["PASSERELLE_KEYS_DIR": ""])
        _ = try await process.waitForExit(timeout: .seconds(30))
        return process
    }

    func mode(_ path: String) throws -> Int {
        try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int ?? -1
    }

    @Test("init makes a key pair per identity (secrets 0600), the authorised list and the ACL, and never overwrites")
    func initFolder() async throws {
        let folder = scratchDirectory("keys-init") + "/keys"
        let made = try await run(["keys", "init", folder])
        #expect(made.stdout.contains("bus-broker"), "\(made.stderr)")
        #expect(try mode(folder) == 0o700)
        let keys = KeysDirectory(path: folder)
        let authorized = try keys.authorizedKeys()
        for identity in [
            "bus-broker", "offer-registry", "candidate-registry", "matcher", "notifier", "statistics", "bus-tap",
        ] {
            #expect(try mode(keys.secretKeyPath(identity)) == 0o600, "\(identity).secret")
            let pair = try keys.keyPair(of: identity)
            #expect(authorized.keys[identity] == pair.publicKey, "\(identity) listed with its own public key")
        }
        #expect(
            try AccessControl(yaml: String(contentsOfFile: keys.accessControlPath, encoding: .utf8))
                == AccessControl(yaml: AccessControl.defaultYAML))
        let before = try String(contentsOfFile: keys.authorizedKeysPath, encoding: .utf8)
        let again = try await run(["keys", "init", folder])
        #expect(again.stderr.contains("existe déjà"), "\(again.stderr)")
        #expect(try String(contentsOfFile: keys.authorizedKeysPath, encoding: .utf8) == before, "nothing overwritten")

        // A second instance, and a key made on another server (its secret stays there).
        #expect(try await run(["keys", "add", "matcher@kayes", "--keys-dir", folder]).stdout.contains("matcher@kayes"))
        let elsewhere = try CurveKeyPairForTest.make()
        // `=`: a Z85 key may begin with "-", which would read as an option (it did, in a CI run).
        let added = try await run(["keys", "add", "partner-agency", "--public-key=\(elsewhere)", "--keys-dir", folder])
        #expect(added.stdout.contains(elsewhere), "\(added.stderr)")
        #expect(!FileManager.default.fileExists(atPath: keys.secretKeyPath("partner-agency")))
        let listed = try keys.authorizedKeys()
        #expect(listed.keys["matcher@kayes"] != nil && listed.keys["partner-agency"] == elsewhere)
        let twice = try await run(["keys", "add", "matcher@kayes", "--keys-dir", folder])
        #expect(twice.stderr.contains("déjà autorisé"))
        let badName = try await run(["keys", "add", "Matcher Kayes", "--keys-dir", folder])
        #expect(badName.stderr.contains("NAME"))
        let revoked = try await run(["keys", "revoke", "matcher@kayes", "--keys-dir", folder])
        #expect(revoked.stdout.contains("révoqué"))
        #expect(try keys.authorizedKeys().keys["matcher@kayes"] == nil)
        #expect(!FileManager.default.fileExists(atPath: keys.secretKeyPath("matcher@kayes")))
    }
}

/// A public key made in the test process, as another server would make it.
enum CurveKeyPairForTest {
    static func make() throws -> String {
        try Bus.CurveKeyPair.generate().publicKey
    }
}
