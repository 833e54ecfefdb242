import Crypto
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import Messages

/// Creation requests that can be sent twice and create one record: the client either names
/// the record (`id` in the body) or sends an `Idempotency-Key` header. The service keeps, per
/// key, the record it created and a fingerprint (SHA-256) of the request — never the request
/// itself, which may hold personal data.
public enum Idempotency {
    /// The table, registered in a service's migrator.
    public static func migrate(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("servicekit-v1-idempotency") { db in
            try db.execute(
                sql: """
                    CREATE TABLE idempotency (
                        key TEXT PRIMARY KEY NOT NULL,
                        resource TEXT NOT NULL,
                        fingerprint TEXT NOT NULL,
                        created INTEGER NOT NULL
                    );
                    CREATE INDEX idempotency_resource ON idempotency (resource);
                    """)
        }
    }

    /// The `Idempotency-Key` header, checked: 1 to 200 visible ASCII characters.
    public static func key(of request: Request) throws(APIError) -> String? {
        guard let name = HTTPField.Name("Idempotency-Key"), let key = request.headers[name] else { return nil }
        guard (1...200).contains(key.utf8.count), key.utf8.allSatisfy({ (33...126).contains($0) }) else {
            throw APIError(
                .badRequest, code: "invalid-idempotency-key",
                message: "Idempotency-Key : 1 à 200 caractères ASCII visibles / 1 to 200 visible ASCII characters",
                field: "Idempotency-Key")
        }
        return key
    }

    /// The fingerprint of a request body: SHA-256 of its canonical JSON, in hex.
    public static func fingerprint(_ value: some Encodable) -> String {
        let bytes = (try? CanonicalJSON.encode(value)) ?? []
        return SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    /// What a key was used for before: the record it created and the request's fingerprint.
    public static func lookup(_ key: String, _ db: Database) throws -> (resource: String, fingerprint: String)? {
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT resource, fingerprint FROM idempotency WHERE key = ?", arguments: [key])
        else { return nil }
        return (row["resource"], row["fingerprint"])
    }

    /// The resource a repeated key stands for, or nil for a new key; a key reused with
    /// another body is refused (422), since the client meant something else by it.
    public static func replayed(_ key: String, fingerprint: String, _ db: Database) throws -> String? {
        guard let used = try lookup(key, db) else { return nil }
        guard used.fingerprint == fingerprint else {
            throw APIError(
                .unprocessableContent, code: "idempotency-key-reused",
                message: "Idempotency-Key déjà utilisé pour une autre requête / "
                    + "Idempotency-Key already used for a different request",
                field: "Idempotency-Key")
        }
        return used.resource
    }

    /// The record an identical earlier request created, found by its `Idempotency-Key` or by
    /// the `id` the client chose, or nil when this request is new. The same key or id with a
    /// different request is refused.
    ///
    /// - Parameter storedFingerprint: the fingerprint of the request that created record `id`,
    ///   or nil when there is no such record.
    public static func earlier(
        key: String?, id: String?, fingerprint: String, _ db: Database,
        storedFingerprint: (String) throws -> String?
    ) throws -> String? {
        if let key, let resource = try replayed(key, fingerprint: fingerprint, db) { return resource }
        guard let id, let stored = try storedFingerprint(id) else { return nil }
        guard stored == fingerprint else {
            throw APIError(
                .conflict, code: "id-conflict",
                message: "l’identifiant \(id) est déjà pris par un autre enregistrement / "
                    + "id \(id) is already taken by another record",
                field: "id")
        }
        return id
    }

    public static func record(_ key: String, resource: String, fingerprint: String, _ db: Database) throws {
        try db.execute(
            sql: "INSERT INTO idempotency (key, resource, fingerprint, created) VALUES (?, ?, ?, ?)",
            arguments: [key, resource, fingerprint, Timestamp.now.millisecondsSinceEpoch])
    }

    /// Forgets the keys of a resource (erasure).
    public static func forget(resource: String, _ db: Database) throws {
        try db.execute(sql: "DELETE FROM idempotency WHERE resource = ?", arguments: [resource])
    }
}

/// Query parameters, checked with errors that name them.
public struct QueryParameters: Sendable {
    let parameters: [String: String]

    public init(_ request: Request) {
        var parameters: [String: String] = [:]
        for (name, value) in request.uri.queryParameters { parameters[String(name)] = String(value) }
        self.parameters = parameters
    }

    public subscript(name: String) -> String? { parameters[name].flatMap { $0.isEmpty ? nil : $0 } }

    /// An integer parameter within `range`, or `default` when absent.
    public func integer(_ name: String, default value: Int, range: ClosedRange<Int>) throws(APIError) -> Int {
        guard let text = self[name] else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw APIError(
                .badRequest, code: "invalid-parameter",
                message: "\(name) : entier de \(range.lowerBound) à \(range.upperBound) attendu / "
                    + "expected an integer from \(range.lowerBound) to \(range.upperBound)",
                field: name)
        }
        return number
    }

    /// Refuses parameters the resource does not know, so a typo does not silently list everything.
    public func only(_ known: Set<String>) throws(APIError) {
        if let unknown = parameters.keys.sorted().first(where: { !known.contains($0) }) {
            throw APIError(
                .badRequest, code: "unknown-parameter",
                message: "\(unknown) : paramètre inconnu (connus : \(known.sorted().joined(separator: ", "))) / "
                    + "unknown parameter", field: unknown)
        }
    }
}
