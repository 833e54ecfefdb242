import Foundation
import GRDB
import HummingbirdBcrypt
import Messages
import ServiceKit

/// Who may sign in to Portail, and what they may do there.
enum PortalRole: String, Codable, Sendable, CaseIterable {
    /// Ministry or consular officer: offers, candidates, matches.
    case officer
    /// An officer who also approves or rejects offers held for review.
    case supervisor
    /// A partner agency: its offers only; never candidates, never approval.
    case agency

    var title: String {
        switch self {
        case .officer: "Agent"
        case .supervisor: "Superviseur"
        case .agency: "Agence partenaire"
        }
    }

    var seesCandidates: Bool { self != .agency }
    var approves: Bool { self == .supervisor }
}

/// The signed-in officer, as the session keeps them.
struct PortalSession: Codable, Sendable, Equatable {
    var username: String
    var displayName: String
    var role: PortalRole
    /// The token every form of this session carries (`_csrf`).
    var csrf: String
    var language: String
}

/// Accounts in Portail's SQLite, with bcrypt hashes and a lockout after repeated failures.
struct Accounts: Sendable {
    let database: ServiceDatabase
    /// Failures in a row that lock an account, and for how long.
    var maxFailures = 5
    var lockout: Duration = .seconds(15 * 60)
    var cost: UInt8 = 12

    enum SignIn: Equatable {
        case signedIn(PortalSession)
        case refused
        case locked(until: Timestamp)
    }

    /// A hash to check against when the name is unknown, so that an unknown name takes as long as a wrong password.
    private static let decoy = Bcrypt.hash("decoy password, never used", cost: 12)

    func signIn(username: String, password: String, now: Timestamp = .now) async throws -> SignIn {
        let row = try await database.pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM accounts WHERE username = ? AND disabled = 0", arguments: [username])
        }
        guard let row else {
            _ = Bcrypt.verify(password, hash: Self.decoy)
            return .refused
        }
        if let until: Int64 = row["locked_until"], until > now.millisecondsSinceEpoch {
            return .locked(until: Timestamp(millisecondsSinceEpoch: until))
        }
        let name: String = row["username"]
        guard Bcrypt.verify(password, hash: row["password_hash"]) else {
            let failures = (row["failed_attempts"] as Int) + 1
            let lock =
                failures >= maxFailures ? now.millisecondsSinceEpoch + Int64(lockout.components.seconds) * 1_000 : nil
            try await database.pool.write { db in
                try db.execute(
                    sql: "UPDATE accounts SET failed_attempts = ?, locked_until = ? WHERE username = ?",
                    arguments: [lock == nil ? failures : 0, lock, name])
            }
            return lock.map { .locked(until: Timestamp(millisecondsSinceEpoch: $0)) } ?? .refused
        }
        try await database.pool.write { db in
            try db.execute(
                sql: "UPDATE accounts SET failed_attempts = 0, locked_until = NULL WHERE username = ?",
                arguments: [name])
        }
        guard let role = PortalRole(rawValue: row["role"]) else { return .refused }
        return .signedIn(
            PortalSession(
                username: name, displayName: row["display_name"], role: role, csrf: Self.token(), language: "fr"))
    }

    /// Adds an account, or replaces its password, name and role.
    func upsert(username: String, displayName: String, role: PortalRole, password: String) async throws {
        let hash = Bcrypt.hash(password, cost: cost)
        try await database.pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO accounts (username, display_name, role, password_hash, created) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (username) DO UPDATE SET display_name = excluded.display_name, role = excluded.role,
                        password_hash = excluded.password_hash, failed_attempts = 0, locked_until = NULL, disabled = 0
                    """,
                arguments: [username, displayName, role.rawValue, hash, Timestamp.now.millisecondsSinceEpoch])
        }
    }

    /// 256 random bits, URL-safe: CSRF tokens.
    static func token() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
