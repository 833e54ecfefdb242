import Bus
import Foundation

/// The keys folder (`PASSERELLE_KEYS_DIR`), as `passerelle keys` lays it out:
///
/// ```
/// authorized-keys        identity and CURVE public key of every bus member (broker included)
/// acl.yaml               who may publish and read which topics
/// api-keys.json          HTTP API keys: name, role, SHA-256 of the key (never the key)
/// <identity>.public      a CURVE public key, Z85
/// <identity>.secret      its secret key, Z85, mode 0600
/// ```
///
/// On a server, the folder holds the secret keys of the identities that run there only,
/// and everyone's public keys (through `authorized-keys`).
public struct KeysDirectory: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    public static let brokerIdentity = "bus-broker"
    public var authorizedKeysPath: String { file("authorized-keys") }
    public var accessControlPath: String { file("acl.yaml") }
    public var apiKeysPath: String { file("api-keys.json") }
    public func publicKeyPath(_ identity: String) -> String { file("\(identity).public") }
    public func secretKeyPath(_ identity: String) -> String { file("\(identity).secret") }

    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    /// The key pair of `identity`: its secret key file must be private to its owner.
    public func keyPair(of identity: String) throws -> CurveKeyPair {
        let secretPath = secretKeyPath(identity)
        guard FileManager.default.fileExists(atPath: secretPath) else { throw KeysError.missing(path: secretPath) }
        let attributes = try FileManager.default.attributesOfItem(atPath: secretPath)
        if let mode = attributes[.posixPermissions] as? Int, mode & 0o077 != 0 {
            throw KeysError.unsafePermissions(path: secretPath, mode: mode)
        }
        let secret = try String(contentsOfFile: secretPath, encoding: .utf8).trimmingCharacters(
            in: .whitespacesAndNewlines)
        let publicKey = try CurveKeyPair.publicKey(forSecret: secret)
        return try CurveKeyPair(publicKey: publicKey, secretKey: secret)
    }

    /// `authorized-keys`, read now.
    public func authorizedKeys() throws -> AuthorizedKeys {
        guard FileManager.default.fileExists(atPath: authorizedKeysPath) else {
            throw KeysError.missing(path: authorizedKeysPath)
        }
        return try AuthorizedKeys(parsing: try String(contentsOfFile: authorizedKeysPath, encoding: .utf8))
    }

    /// `authorized-keys`, followed as it changes (revocations apply at the next connection).
    func watchedAuthorizedKeys(onError: @escaping @Sendable (String) -> Void) throws -> WatchedFile<AuthorizedKeys> {
        guard FileManager.default.fileExists(atPath: authorizedKeysPath) else {
            throw KeysError.missing(path: authorizedKeysPath)
        }
        return try WatchedFile(path: authorizedKeysPath, onError: onError) { data in
            try AuthorizedKeys(parsing: String(decoding: data, as: UTF8.self))
        }
    }

    /// `acl.yaml`, followed as it changes.
    func watchedAccessControl(onError: @escaping @Sendable (String) -> Void) throws -> WatchedFile<AccessControl> {
        guard FileManager.default.fileExists(atPath: accessControlPath) else {
            throw KeysError.missing(path: accessControlPath)
        }
        return try WatchedFile(path: accessControlPath, onError: onError) { data in
            try AccessControl(yaml: String(decoding: data, as: UTF8.self))
        }
    }
}
