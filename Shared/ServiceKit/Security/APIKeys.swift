import Bus
import Crypto
import Foundation

/// The HTTP API's clients and their roles (DESIGN.md, "Security"), in `api-keys.json` of
/// the keys folder. Only a SHA-256 of each key is stored: the key itself is printed once,
/// by `passerelle keys api create`, and never kept. (Keys are 256 random bits, so a plain
/// hash is enough; a slow hash protects guessable passwords, not these.)
public struct APIKeys: Codable, Sendable, Equatable {
    /// What a client may do; each service's routes say which roles they accept.
    public enum Role: String, Codable, Sendable, CaseIterable {
        /// A ministry officer: reads and writes everything, approves offers.
        case officer
        /// A partner agency: submits offers and reads offers; never approves, never reads candidates.
        case agency
        /// The `portail` back office: acts for the officer it names in `X-Passerelle-Officer`.
        case portal
        /// A statistics reader.
        case statistics
    }

    public struct Client: Codable, Sendable, Equatable {
        public var name: String
        public var role: Role
        /// Lowercase hex SHA-256 of the key.
        public var sha256: String
        public var created: String
        /// Set when revoked: the key is refused from then on.
        public var revoked: String?
    }

    public var clients: [Client] = []

    public init() {}

    /// The client a presented key belongs to, if it is listed and not revoked.
    public func client(presenting key: String) -> Client? {
        let digest = Self.hash(key)
        return clients.first { client in
            client.revoked == nil && Self.constantTimeEqual(client.sha256, digest)
        }
    }

    /// A new random key (`pk_` and 43 base64url characters) for `name`, stored hashed.
    public mutating func create(name: String, role: Role, now: Date = Date()) throws(KeysError) -> String {
        guard !name.isEmpty, name.count <= 100, name.allSatisfy({ !$0.isWhitespace && !$0.isNewline }) else {
            throw .invalid("name: one word of at most 100 characters, e.g. agence-madrid")
        }
        guard !clients.contains(where: { $0.name == name && $0.revoked == nil }) else {
            throw .invalid("an active key named '\(name)' exists; revoke it first")
        }
        let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        let key =
            "pk_"
            + bytes.base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        clients.append(Client(name: name, role: role, sha256: Self.hash(key), created: Self.stamp(now)))
        return key
    }

    /// Revokes the active key named `name`; false when there is none.
    public mutating func revoke(name: String, now: Date = Date()) -> Bool {
        guard let index = clients.firstIndex(where: { $0.name == name && $0.revoked == nil }) else { return false }
        clients[index].revoked = Self.stamp(now)
        return true
    }

    public static func hash(_ key: String) -> String {
        SHA256.hash(data: Data(key.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let (x, y) = (Array(a.utf8), Array(b.utf8))
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    static func stamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    public static func parse(_ data: Data) throws -> APIKeys {
        do { return try JSONDecoder().decode(APIKeys.self, from: data) } catch {
            throw KeysError.invalid("api-keys.json: \(error)")
        }
    }

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}

extension KeysDirectory {
    /// Writes `data` to `name` in the folder atomically (a service never reads half a file),
    /// with `mode`.
    public func write(_ data: Data, to name: String, mode: Int) throws {
        let target = file(name)
        let temporary = file(".\(name).\(UUID().uuidString).tmp")
        guard FileManager.default.createFile(atPath: temporary, contents: nil, attributes: [.posixPermissions: mode])
        else { throw KeysError.invalid("cannot write \(temporary)") }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
        try handle.write(contentsOf: data)
        try handle.synchronize()
        try handle.close()
        guard rename(temporary, target) == 0 else {
            try? FileManager.default.removeItem(atPath: temporary)
            throw KeysError.invalid("cannot replace \(target)")
        }
    }

    /// Makes a CURVE key pair for `identity`: `<identity>.secret` (mode 0600) and
    /// `<identity>.public`.
    @discardableResult
    public func makeKeyPair(for identity: String) throws -> CurveKeyPair {
        let pair = try CurveKeyPair.generate()
        try write(Data((pair.secretKey + "\n").utf8), to: "\(identity).secret", mode: 0o600)
        try write(Data((pair.publicKey + "\n").utf8), to: "\(identity).public", mode: 0o644)
        return pair
    }

    /// Lays out a new bus in this (existing) folder: a key pair per identity, `authorized-keys`
    /// listing them, `acl` as `acl.yaml`, and no API key yet. Returns the pairs.
    @discardableResult
    public func create(
        identities: [String], acl: String = AccessControl.defaultYAML
    ) throws -> [String: CurveKeyPair] {
        var authorized = AuthorizedKeys()
        var pairs: [String: CurveKeyPair] = [:]
        for identity in identities {
            let pair = try makeKeyPair(for: identity)
            authorized.add(identity: identity, publicKey: pair.publicKey)
            pairs[identity] = pair
        }
        try save(authorized)
        try write(Data(acl.utf8), to: "acl.yaml", mode: 0o644)
        try save(APIKeys())
        return pairs
    }

    /// Writes `authorized-keys` (readable by all: public keys only); services follow it.
    public func save(_ authorized: AuthorizedKeys) throws {
        try write(Data(authorized.text.utf8), to: "authorized-keys", mode: 0o644)
    }

    /// Writes `api-keys.json` (owner only: it names every client); services follow it.
    public func save(_ clients: APIKeys) throws {
        try write(try clients.encoded(), to: "api-keys.json", mode: 0o600)
    }

    /// `api-keys.json`, read now (empty when absent).
    public func apiKeys() throws -> APIKeys {
        guard FileManager.default.fileExists(atPath: apiKeysPath) else { return APIKeys() }
        return try APIKeys.parse(Data(contentsOf: URL(fileURLWithPath: apiKeysPath)))
    }

    /// `api-keys.json`, followed as it changes (a revoked key is refused at its next request).
    func watchedAPIKeys(onError: @escaping @Sendable (String) -> Void) throws -> WatchedFile<APIKeys> {
        if !FileManager.default.fileExists(atPath: apiKeysPath) {
            try save(APIKeys())
        }
        return try WatchedFile(path: apiKeysPath, onError: onError) { try APIKeys.parse($0) }
    }
}
