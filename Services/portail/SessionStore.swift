import Foundation
import GRDB
import Hummingbird
import Messages
import ServiceKit

/// hummingbird-auth's sessions kept in Portail's SQLite: an officer signed in stays signed in
/// across a restart, until the session expires or they sign out.
struct DatabasePersistDriver: PersistDriver {
    let database: ServiceDatabase

    func create<Object: Codable & Sendable>(key: String, value: Object, expires: Duration?) async throws {
        let data = try JSONEncoder().encode(value)
        try await database.pool.write { db in
            try db.execute(
                sql: "INSERT INTO sessions (key, value, expires) VALUES (?, ?, ?)",
                arguments: [key, data, Self.deadline(expires)])
        }
    }

    func set<Object: Codable & Sendable>(key: String, value: Object, expires: Duration?) async throws {
        let data = try JSONEncoder().encode(value)
        try await database.pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO sessions (key, value, expires) VALUES (?, ?, ?)
                    ON CONFLICT (key) DO UPDATE SET value = excluded.value,
                        expires = COALESCE(excluded.expires, sessions.expires)
                    """,
                arguments: [key, data, Self.deadline(expires)])
        }
    }

    func get<Object: Codable & Sendable>(key: String, as type: Object.Type) async throws -> Object? {
        try await getWithTTL(key: key, as: type)?.object
    }

    func getWithTTL<Object: Codable & Sendable>(
        key: String, as type: Object.Type
    ) async throws -> (
        object: Object, ttl: Duration?
    )? {
        let now = Timestamp.now.millisecondsSinceEpoch
        guard
            let row = try await database.pool.read({ db in
                try Row.fetchOne(
                    db, sql: "SELECT value, expires FROM sessions WHERE key = ? AND (expires IS NULL OR expires > ?)",
                    arguments: [key, now])
            })
        else { return nil }
        let object = try JSONDecoder().decode(type, from: row["value"] as Data)
        let expires: Int64? = row["expires"]
        return (object, expires.map { .milliseconds($0 - now) })
    }

    func remove(key: String) async throws {
        try await database.pool.write { db in
            try db.execute(sql: "DELETE FROM sessions WHERE key = ?", arguments: [key])
        }
    }

    /// Expired sessions go (hourly).
    func prune() async throws {
        try await database.pool.write { db in
            try db.execute(
                sql: "DELETE FROM sessions WHERE expires <= ?", arguments: [Timestamp.now.millisecondsSinceEpoch])
        }
    }

    private static func deadline(_ expires: Duration?) -> Int64? {
        guard let expires else { return nil }
        let milliseconds = expires.components.seconds * 1_000 + expires.components.attoseconds / 1_000_000_000_000_000
        return Timestamp.now.millisecondsSinceEpoch + milliseconds
    }
}
