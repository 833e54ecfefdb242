import Bus
import Foundation
import ServiceKit
import Testing

@Suite("AccessControl: who may publish and read which topics")
struct AccessControlTests {
    let acl: AccessControl
    /// Every identity of the default file.
    let everyone: [String]

    init() throws {
        acl = try AccessControl(yaml: AccessControl.defaultYAML)
        everyone = acl.rules.keys.sorted()
    }

    @Test("the default file names every Passerelle service and bus-tap")
    func defaultIdentities() {
        #expect(
            everyone == [
                "bus-tap", "bus-tap-contact", "candidate-registry", "matcher", "notifier", "offer-registry",
                "portail", "statistics",
            ])
    }

    @Test("only the candidate registry publishes candidate. and contact.; only the offer registry publishes offer.")
    func publishers() {
        let publishers = { (topic: String) in everyone.filter { acl.mayPublish($0, topic: topic) } }
        #expect(publishers("candidate.registered") == ["candidate-registry"])
        #expect(publishers("contact.changed") == ["candidate-registry"])
        #expect(publishers("offer.published") == ["offer-registry"])
        #expect(publishers("match.found") == ["matcher"])
        #expect(publishers("notification.sent") == ["notifier"])
        #expect(publishers("unheard-of.topic").isEmpty)
    }

    @Test("contact. is read only by the notifier and bus-tap-contact, never by the matcher or bus-tap")
    func contactReaders() {
        #expect(everyone.filter { acl.mayRead($0, stream: "contact") } == ["bus-tap-contact", "notifier"])
        #expect(acl.grant("matcher", prefix: "contact.").isEmpty)
        #expect(acl.grant("matcher", prefix: "contact.changed").isEmpty)
        #expect(acl.grant("notifier", prefix: "contact.") == ["contact."])
        #expect(acl.mayRead("matcher", stream: "offer") && acl.mayRead("matcher", stream: "candidate"))
    }

    @Test("bus-tap subscribing to everything is narrowed to what it may read, which excludes contact.")
    func everythingIsNarrowed() {
        let granted = acl.grant("bus-tap", prefix: "")
        #expect(Set(granted) == ["offer.", "candidate.", "match.", "notification.", "heartbeat."])
        #expect(!granted.contains { $0.hasPrefix("contact") })
        #expect(acl.grant("bus-tap", prefix: "c") == ["candidate."], "a partial prefix narrows too")
        #expect(acl.grant("bus-tap", prefix: "offer.published") == ["offer.published"], "a narrower prefix is kept")
    }

    @Test("an identity publishes its own heartbeat only, and reads every heartbeat")
    func heartbeats() {
        #expect(acl.mayPublish("matcher", topic: "heartbeat.matcher"))
        #expect(!acl.mayPublish("matcher", topic: "heartbeat.offer-registry"))
        #expect(!acl.mayPublish("matcher", topic: "heartbeat.matcher-evil"), "exactly its own, not a prefix of it")
        #expect(!acl.mayPublish("offer-registry", topic: "heartbeat."))
        #expect(acl.grant("offer-registry", prefix: "heartbeat.") == ["heartbeat."])
        #expect(acl.grant("statistics", prefix: "heartbeat.matcher") == ["heartbeat.matcher"])
        #expect(acl.readable(by: "stranger").isEmpty, "an identity the file does not name reads nothing")
    }

    @Test("an instance without an entry of its own has its service's rights, and its own heartbeat")
    func instanceFallback() throws {
        #expect(acl.rights(of: "matcher@kayes") == acl.rights(of: "matcher"))
        #expect(acl.mayPublish("matcher@kayes", topic: "match.found"))
        #expect(!acl.mayPublish("matcher@kayes", topic: "offer.published"))
        #expect(acl.mayPublish("matcher@kayes", topic: "heartbeat.matcher@kayes"))
        #expect(!acl.mayPublish("matcher@kayes", topic: "heartbeat.matcher"))
        #expect(acl.grant("matcher@kayes", prefix: "contact.").isEmpty)

        let own = try AccessControl(
            yaml: AccessControl.defaultYAML + "matcher@kayes:\n  publish: []\n  subscribe: [offer.]\n")
        #expect(!own.mayPublish("matcher@kayes", topic: "match.found"), "its own entry replaces the service's")
        #expect(own.mayPublish("matcher@segou", topic: "match.found"))
    }

    @Test(
        "a bad file is refused with the identity and field at fault",
        arguments: [
            ("matcher:\n  publsh: [match.]\n", "matcher.publsh: unknown field"),
            ("matcher:\n  publish: match.\n", "matcher.publish: expected a list"),
            ("matcher:\n  subscribe: ['']\n", "matcher.subscribe: '' is not a topic prefix"),
            ("matcher:\n  subscribe: ['offer. x']\n", "matcher.subscribe: 'offer. x' is not a topic prefix"),
            ("matcher: [match.]\n", "matcher: expected publish and subscribe lists"),
            ("Matcher:\n  publish: []\n", "'Matcher' is not an identity name"),
            ("- matcher\n", "expected a mapping"),
            ("matcher: {publish: [\n", "not YAML"),
        ])
    func badFiles(yaml: String, message: String) {
        #expect {
            _ = try AccessControl(yaml: yaml)
        } throws: { error in
            "\(error)".hasPrefix("acl.yaml: ") && "\(error)".contains(message)
        }
    }
}

@Suite("AuthorizedKeys: the file of listed CURVE keys")
struct AuthorizedKeysTests {
    /// A valid-length key with `#` inside, as Z85 allows.
    static let hashKey = "abc#defghijklmnopqrstuvwxyz0123456789ABC"

    @Test("keys containing # parse; comment lines and blank lines are skipped")
    func parsing() throws {
        let other = try CurveKeyPair.generate().publicKey
        let keys = try AuthorizedKeys(
            parsing: """
                # a comment line
                   # an indented comment

                matcher \(Self.hashKey)
                offer-registry   \(other)
                """)
        #expect(keys.keys == ["matcher": Self.hashKey, "offer-registry": other])
        #expect(keys.identities[Self.hashKey] == "matcher")
        #expect(try AuthorizedKeys(parsing: keys.text) == keys, "its own text reads back the same")
    }

    @Test("an identity or a key listed twice is refused with the line number")
    func duplicates() {
        let key2 = String(repeating: "b", count: 40)
        #expect(throws: KeysError.malformed(file: "authorized-keys", line: 3, reason: "identity or key listed twice")) {
            _ = try AuthorizedKeys(parsing: "# keys\nmatcher \(Self.hashKey)\nmatcher \(key2)\n")
        }
        #expect(throws: KeysError.malformed(file: "authorized-keys", line: 2, reason: "identity or key listed twice")) {
            _ = try AuthorizedKeys(parsing: "matcher \(Self.hashKey)\nnotifier \(Self.hashKey)\n")
        }
    }

    @Test("a short key, a bad identity or a third word are refused with the line number")
    func malformedLines() {
        #expect(
            throws: KeysError.malformed(file: "authorized-keys", line: 1, reason: "a public key is 40 Z85 characters")
        ) {
            _ = try AuthorizedKeys(parsing: "matcher short\n")
        }
        #expect(throws: KeysError.malformed(file: "authorized-keys", line: 2, reason: "bad identity 'Matcher'")) {
            _ = try AuthorizedKeys(parsing: "\nMatcher \(Self.hashKey)\n")
        }
        #expect(throws: KeysError.malformed(file: "authorized-keys", line: 1, reason: "expected 'identity public-key'"))
        {
            _ = try AuthorizedKeys(parsing: "matcher \(Self.hashKey) # trailing words\n")
        }
    }
}

@Suite("APIKeys: HTTP clients, stored as a hash of their key")
struct APIKeysTests {
    @Test("a created key is stored only as its SHA-256, and finds its client")
    func createAndFind() throws {
        var keys = APIKeys()
        let key = try keys.create(name: "agence-madrid", role: .agency)
        #expect(key.hasPrefix("pk_") && key.count == 46)
        let client = try #require(keys.clients.first)
        #expect(client.sha256 == APIKeys.hash(key) && client.sha256.count == 64)
        let file = String(decoding: try keys.encoded(), as: UTF8.self)
        #expect(!file.contains(key) && !file.contains(String(key.dropFirst(3))), "the key itself is never written")
        #expect(keys.client(presenting: key)?.name == "agence-madrid")
        #expect(keys.client(presenting: key)?.role == .agency)
        #expect(keys.client(presenting: client.sha256) == nil, "the stored hash is not a key")
        #expect(keys.client(presenting: key + "x") == nil)
        #expect(try APIKeys.parse(try keys.encoded()) == keys)
    }

    @Test("a revoked key is refused, and its name may then be given a new key")
    func revocation() throws {
        var keys = APIKeys()
        let old = try keys.create(name: "portail", role: .portal)
        #expect(throws: KeysError.invalid("an active key named 'portail' exists; revoke it first")) {
            var copy = keys
            _ = try copy.create(name: "portail", role: .portal)
        }
        let revoked = keys.revoke(name: "portail")
        #expect(revoked)
        #expect(keys.client(presenting: old) == nil)
        let revokedAgain = keys.revoke(name: "portail")
        #expect(!revokedAgain, "nothing active is left to revoke")
        let new = try keys.create(name: "portail", role: .portal)
        #expect(keys.client(presenting: new)?.name == "portail")
        #expect(keys.client(presenting: old) == nil)
    }

    @Test(
        "a name is one word of 1 to 100 characters",
        arguments: ["", "two words", "tab\there", String(repeating: "n", count: 101)])
    func badNames(name: String) {
        #expect(throws: KeysError.invalid("name: one word of at most 100 characters, e.g. agence-madrid")) {
            var keys = APIKeys()
            _ = try keys.create(name: name, role: .officer)
        }
    }
}
