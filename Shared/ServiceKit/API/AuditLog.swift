import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import Messages
import Synchronization

/// What a handler says about the write it made, for the audit trail: which record, and
/// what changed (field names and states, never personal values: the audit outlives erasure).
public final class AuditNote: Sendable {
    private let state = Mutex<(resource: String?, changes: [String])>((nil, []))

    @TaskLocal public static var current: AuditNote?

    public init() {}

    /// Notes, for the request being handled, the record written and what changed in it.
    public static func record(resource: String? = nil, changes: [String]) {
        current?.state.withLock { state in
            if let resource { state.resource = resource }
            state.changes.append(contentsOf: changes)
        }
    }

    var resource: String? { state.withLock { $0.resource } }
    var changes: [String] { state.withLock { $0.changes } }
}

/// Every write made through a service's API (DESIGN.md, "Security"): who (the key's name),
/// for whom (the officer a portal key acts for), when, what (method, resource, outcome and
/// changes). Kept in the owning service's database, readable by officers at `GET /audit`.
public struct AuditLog: Sendable {
    let database: ServiceDatabase

    public init(database: ServiceDatabase) { self.database = database }

    static func migrate(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("servicekit-v3-audit") { db in
            try db.execute(
                sql: """
                    CREATE TABLE audit_log (
                        id INTEGER PRIMARY KEY,
                        time INTEGER NOT NULL,
                        actor TEXT NOT NULL,
                        role TEXT,
                        on_behalf_of TEXT,
                        method TEXT NOT NULL,
                        path TEXT NOT NULL,
                        resource TEXT NOT NULL,
                        status INTEGER NOT NULL,
                        changes TEXT NOT NULL
                    );
                    CREATE INDEX audit_log_resource ON audit_log (resource, id);
                    """)
        }
    }

    /// One audited write, as `GET /audit` lists it.
    public struct Entry: Codable, Sendable, Equatable {
        public var time: String
        public var actor: String
        public var role: String?
        public var onBehalfOf: String?
        public var method: String
        public var path: String
        public var resource: String
        public var status: Int
        public var changes: [String]
    }

    func record(
        _ request: Request, status: HTTPResponse.Status, caller: APICaller, note: AuditNote, _ response: Response?
    ) async {
        // The record a POST created is where its Location points; an action on a record
        // (/offers/{id}/approve) is filed under the record (/offers/{id}).
        let components = request.uri.path.split(separator: "/")
        let record = components.count > 2 ? "/" + components.prefix(2).joined(separator: "/") : request.uri.path
        let resource = note.resource ?? response?.headers[.location] ?? record
        let changes = note.changes.joined(separator: "\n")
        do {
            try await database.pool.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO audit_log (time, actor, role, on_behalf_of, method, path, resource, status, changes)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        Timestamp.now.millisecondsSinceEpoch, caller.name, caller.role?.rawValue,
                        caller.onBehalfOf, request.method.rawValue, String(request.uri.path.prefix(500)),
                        String(resource.prefix(500)), status.code, changes,
                    ])
            }
        } catch {
            // An audit row that cannot be written is an incident, not a reason to fail the client.
            print("audit: could not record \(request.method) \(request.uri.path): \(error)")
        }
    }

    /// Entries, newest first, optionally for one resource (`/offers/<id>`).
    public func entries(resource: String?, limit: Int, offset: Int) async throws -> [Entry] {
        try await database.pool.read { db in
            var sql = "SELECT * FROM audit_log"
            var arguments: StatementArguments = []
            if let resource {
                sql += " WHERE resource = ?"
                arguments += [resource]
            }
            sql += " ORDER BY id DESC LIMIT ? OFFSET ?"
            arguments += [limit, offset]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                let changes: String = row["changes"]
                return Entry(
                    time: Timestamp(millisecondsSinceEpoch: row["time"]).rfc3339,
                    actor: row["actor"], role: row["role"], onBehalfOf: row["on_behalf_of"], method: row["method"],
                    path: row["path"], resource: row["resource"], status: row["status"],
                    changes: changes.isEmpty ? [] : changes.components(separatedBy: "\n"))
            }
        }
    }

    /// Rewrites, in the caller's transaction, the entries under `prefix` (`/matches/`) whose
    /// path or resource has `segment` as a whole path segment (an erased person's id), with
    /// `replacement` in its place: the entry stays, the person's id leaves the file.
    public static func redact(segment: String, under prefix: String, replacement: String, _ db: Database) throws {
        func rewrite(_ path: String) -> String {
            path.split(separator: "/", omittingEmptySubsequences: false)
                .map { $0 == segment ? Substring(replacement) : $0 }.joined(separator: "/")
        }
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT id, path, resource FROM audit_log
                WHERE substr(path, 1, ?) = ? AND (instr(path || '/', ?) > 0 OR instr(resource || '/', ?) > 0)
                """,
            arguments: [prefix.unicodeScalars.count, prefix, "/\(segment)/", "/\(segment)/"])
        for row in rows {
            try db.execute(
                sql: "UPDATE audit_log SET path = ?, resource = ? WHERE id = ?",
                arguments: [rewrite(row["path"]), rewrite(row["resource"]), row["id"] as Int64])
        }
    }

    /// The actor whose write created `resource` (for "an agency edits only its own offers").
    public func creator(of resource: String) async throws -> String? {
        try await database.pool.read { db in
            try String.fetchOne(
                db,
                sql: """
                    SELECT actor FROM audit_log WHERE resource = ? AND method = 'POST' AND status IN (200, 201)
                    ORDER BY id LIMIT 1
                    """,
                arguments: [resource])
        }
    }
}

extension ServiceRunner {
    /// Puts the service's API behind its keys: the access rules (with security on) and the
    /// audit of every write in `database`; adds `GET /audit` for officers.
    ///
    /// - Parameter gateways: paths a machine calls with its own credential instead of an API
    ///   key (Kannel's `/inbound/sms` with a shared secret): the route checks it.
    public func secureAPI(_ rules: [AccessRule], audit database: ServiceDatabase, gateways: Set<String> = []) {
        let audit = AuditLog(database: database)
        router.add(
            middleware: APIAccessMiddleware<ServiceRequestContext>(
                security: context.settings.security, rules: rules + [AccessRule(.get, "/audit", [.officer, .portal])],
                audit: audit, gateways: gateways))
        router.get("/audit") { request, _ -> Response in
            let query = QueryParameters(request)
            try query.only(["resource", "limit", "offset"])
            let entries = try await audit.entries(
                resource: query["resource"], limit: try query.integer("limit", default: 100, range: 1...1_000),
                offset: try query.integer("offset", default: 0, range: 0...10_000_000))
            return APIBody.response(["entries": entries])
        }
    }
}

/// The fields that differ between two versions of a record, by name (`title`,
/// `salary.amount`): what an audit entry says changed, without the values.
public enum AuditDiff {
    public static func changedFields<T: Encodable>(_ before: T?, _ after: T) -> [String] {
        guard let before, let old = try? CanonicalJSON.decode(JSONValue.self, from: CanonicalJSON.encode(before)),
            let new = try? CanonicalJSON.decode(JSONValue.self, from: CanonicalJSON.encode(after))
        else { return [] }
        var changed: [String] = []
        diff(old, new, path: "", into: &changed)
        return changed
    }

    private static func diff(_ old: JSONValue?, _ new: JSONValue?, path: String, into changed: inout [String]) {
        if case .object(let a)? = old, case .object(let b)? = new {
            for key in Set(a.keys).union(b.keys).sorted() where !["version", "updated", "updatedAt"].contains(key) {
                diff(a[key], b[key], path: path.isEmpty ? key : "\(path).\(key)", into: &changed)
            }
        } else if old != new {
            changed.append(path)
        }
    }
}
