import Foundation

/// The bus's authorised CURVE keys: each public key and the identity it speaks as.
///
/// File `authorized-keys` in the keys folder, one key a line, `identity public-key-z85`;
/// a line starting with `#` is a comment (not `#` elsewhere: Z85 keys may contain it). Removing a line revokes the key: the broker and every replay
/// endpoint refuse it from the next connection on, without a restart.
public struct AuthorizedKeys: Sendable, Equatable {
    /// Public key (Z85) → identity.
    public private(set) var identities: [String: String] = [:]
    /// Identity → public key (Z85).
    public private(set) var keys: [String: String] = [:]

    public init() {}

    /// Parses the file's text; a malformed line is an error naming it.
    public init(parsing text: String) throws(KeysError) {
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let words = raw.split(whereSeparator: \.isWhitespace).map(String.init)
            if words.isEmpty || words[0].hasPrefix("#") { continue }
            guard words.count == 2 else {
                throw .malformed(file: "authorized-keys", line: index + 1, reason: "expected 'identity public-key'")
            }
            let (identity, key) = (words[0], words[1])
            guard Identity.isValid(identity) else {
                throw .malformed(file: "authorized-keys", line: index + 1, reason: "bad identity '\(identity)'")
            }
            guard key.count == 40 else {
                throw .malformed(file: "authorized-keys", line: index + 1, reason: "a public key is 40 Z85 characters")
            }
            guard identities[key] == nil, keys[identity] == nil else {
                throw .malformed(file: "authorized-keys", line: index + 1, reason: "identity or key listed twice")
            }
            identities[key] = identity
            keys[identity] = key
        }
    }

    /// The file's text, sorted by identity.
    public var text: String {
        "# Passerelle bus: authorised CURVE public keys, one 'identity key' a line.\n"
            + "# Remove a line (passerelle keys revoke NAME) to refuse that key at its next connection.\n"
            + keys.keys.sorted().map { "\($0) \(keys[$0]!)\n" }.joined()
    }

    public mutating func add(identity: String, publicKey: String) {
        if let old = keys[identity] { identities[old] = nil }
        keys[identity] = publicKey
        identities[publicKey] = identity
    }

    @discardableResult
    public mutating func remove(identity: String) -> Bool {
        guard let key = keys.removeValue(forKey: identity) else { return false }
        identities[key] = nil
        return true
    }
}

/// Identity names: a service name, optionally `@instance` (`matcher@kayes`).
public enum Identity {
    public static func isValid(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64
            && name.unicodeScalars.allSatisfy { scalar in
                ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "-" || scalar == "@"
                    || scalar == "_"
            }
    }

    /// `matcher` for `matcher@kayes`: the service an instance belongs to.
    public static func service(of identity: String) -> String {
        String(identity.split(separator: "@", maxSplits: 1).first ?? Substring(identity))
    }
}

/// What is wrong with the keys folder; each case says which file and what to do.
public enum KeysError: Error, Sendable, Equatable, CustomStringConvertible {
    case missing(path: String)
    case malformed(file: String, line: Int, reason: String)
    case unsafePermissions(path: String, mode: Int)
    case invalid(String)

    public var description: String {
        switch self {
        case .missing(let path): "\(path) is missing (passerelle keys init DIR creates the keys)"
        case .malformed(let file, let line, let reason): "\(file), line \(line): \(reason)"
        case .unsafePermissions(let path, let mode):
            "\(path) is readable by others (mode \(String(mode, radix: 8))); run chmod 600 \(path)"
        case .invalid(let reason): reason
        }
    }
}
