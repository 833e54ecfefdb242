import Bus
import Foundation
import Logging
import Synchronization

/// The bus security of one process, when `PASSERELLE_KEYS_DIR` is set (DESIGN.md,
/// "Security"): its own CURVE key pair, the broker's public key, the authorised keys and
/// the ACL, both followed as the operator edits them.
///
/// - Clients (a service to the broker, an inbox to a replay endpoint) authenticate the
///   server by its public key, so a forged heartbeat naming another endpoint leads nowhere.
/// - Servers (the broker, replay endpoints) take only listed keys, through the process's
///   ZAP handler; each connection's identity is the ZAP user id its messages carry.
public final class BusSecurity: Sendable {
    public let directory: KeysDirectory
    /// This process's identity: its `source` on the bus.
    public let identity: String
    public let keys: CurveKeyPair
    let authorized: WatchedFile<AuthorizedKeys>
    let access: WatchedFile<AccessControl>
    let apiKeys: WatchedFile<APIKeys>
    let logger: Logger
    private let lastRefusalLog = Mutex<[String: ContinuousClock.Instant]>([:])

    /// Loads everything now: a missing or unsafe file stops the service at start-up.
    public init(directory: KeysDirectory, identity: String, logger: Logger) throws {
        guard BusContext.has("curve") else {
            throw KeysError.invalid("this libzmq was built without CURVE; security cannot be switched on")
        }
        self.directory = directory
        self.identity = identity
        self.logger = logger
        keys = try directory.keyPair(of: identity)
        let report: @Sendable (String) -> Void = { message in
            logger.error("keys file unreadable; keeping the last good version", metadata: ["error": "\(message)"])
        }
        authorized = try directory.watchedAuthorizedKeys(onError: report)
        access = try directory.watchedAccessControl(onError: report)
        apiKeys = try directory.watchedAPIKeys(onError: report)
        guard authorized.current().keys[identity] == keys.publicKey else {
            throw KeysError.invalid(
                "the key of '\(identity)' is not in \(directory.authorizedKeysPath) (passerelle keys add \(identity))")
        }
    }

    /// The public key of `identity` as listed now, or nil (unknown or revoked).
    public func publicKey(of identity: String) -> String? { authorized.current().keys[identity] }

    /// Options to connect to a CURVE server that must be `serverIdentity`.
    public func clientOptions(_ base: SocketOptions, server serverIdentity: String) throws -> SocketOptions {
        guard let serverKey = publicKey(of: serverIdentity) else {
            throw KeysError.invalid("no public key for '\(serverIdentity)' in \(directory.authorizedKeysPath)")
        }
        var options = base
        options.curve = .client(keys: keys, serverKey: serverKey)
        return options
    }

    /// Options for a CURVE server socket whose handshakes `authorize` decides (ZAP `domain`).
    public func serverOptions(
        _ base: SocketOptions, domain: String, context: BusContext = .shared
    ) throws -> SocketOptions {
        try ZAPHandler.shared(for: context).register(domain: domain) { [self] request in authorize(request) }
        var options = base
        options.curve = .server(keys: keys)
        options.zapDomain = domain
        return options
    }

    /// Listed keys only; the identity is the one listed with the key.
    func authorize(_ request: ZAPRequest) -> ZAPDecision {
        if let identity = authorized.current().identities[request.publicKey] {
            return .allow(identity: identity)
        }
        logRefusal(
            identity: "key \(request.publicKey.prefix(8))…", reason: "unknown or revoked key",
            detail: ["address": "\(request.address)", "domain": "\(request.domain)"])
        return .deny(reason: "unknown or revoked key")
    }

    /// The ACL as it stands (the broker allows it a second's age on its hot path).
    public func accessControl(maxAge: Duration = .zero) -> AccessControl { access.current(maxAge: maxAge) }

    /// The HTTP client presenting `key`, as `api-keys.json` stands now.
    public func apiClient(presenting key: String) -> APIKeys.Client? { apiKeys.current().client(presenting: key) }

    /// Whether `identity` is listed now.
    public func isAuthorized(_ identity: String, maxAge: Duration = .zero) -> Bool {
        authorized.current(maxAge: maxAge).keys[identity] != nil
    }

    /// Logs a refusal at most once per second per identity (a flood must not fill the disk).
    public func logRefusal(identity: String, reason: String, detail: Logger.Metadata = [:]) {
        let now = ContinuousClock.now
        let due = lastRefusalLog.withLock { last -> Bool in
            if let previous = last[identity], now - previous < .seconds(1) { return false }
            last[identity] = now
            return true
        }
        guard due else { return }
        var metadata = detail
        metadata["identity"] = "\(identity)"
        metadata["reason"] = "\(reason)"
        logger.warning("refused", metadata: metadata)
    }
}
