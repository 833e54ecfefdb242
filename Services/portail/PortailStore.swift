import GRDB
import ServiceKit

/// Portail's own SQLite: its accounts (bcrypt hashes, never a password) and its sessions, so
/// that a restart signs no one out. Everything else it shows belongs to the owners' APIs.
enum PortailStore {
    static func migrate(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("portail-v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE accounts (
                        username TEXT PRIMARY KEY NOT NULL COLLATE NOCASE,
                        display_name TEXT NOT NULL,
                        role TEXT NOT NULL,
                        password_hash TEXT NOT NULL,
                        failed_attempts INTEGER NOT NULL DEFAULT 0,
                        locked_until INTEGER,
                        created INTEGER NOT NULL,
                        disabled INTEGER NOT NULL DEFAULT 0);
                    -- hummingbird-auth's sessions: key → JSON, expiry in ms since 1970.
                    CREATE TABLE sessions (
                        key TEXT PRIMARY KEY NOT NULL, value BLOB NOT NULL, expires INTEGER);
                    CREATE INDEX sessions_expires ON sessions (expires);
                    """)
        }
    }
}
