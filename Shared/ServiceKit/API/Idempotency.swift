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

    /// Creates a record once, in the caller's write transaction: an identical earlier request
    /// (same `Idempotency-Key`, or same client-chosen `id`, with the same fingerprint) gets the
    /// record it created; a new one runs `create`, and its key is recorded with the record.
    /// The same key or id with a different request is refused (422, 409).
    ///
    /// - Parameters:
    ///   - what: the record's name in French (`offre`), for a 404 when a key's record is gone.
    ///   - stored: the record with this id and the fingerprint of the request that created
    ///     it, or nil when there is none.
    ///   - create: stores the new record; returns it and its id.
    /// - Returns: the record, and whether this request created it.
    public static func once<Record>(
        _ what: String, key: String?, id: String?, fingerprint: String, _ db: Database,
        stored: (String) throws -> (record: Record, fingerprint: String)?,
        create: () throws -> (record: Record, id: String)
    ) throws -> (record: Record, isNew: Bool) {
        if let key,
            let used = try Row.fetchOne(
                db, sql: "SELECT resource, fingerprint FROM idempotency WHERE key = ?", arguments: [key])
        {
            guard used["fingerprint"] == fingerprint else {
                throw APIError(
                    .unprocessableContent, code: "idempotency-key-reused",
                    message: "Idempotency-Key déjà utilisé pour une autre requête / "
                        + "Idempotency-Key already used for a different request",
                    field: "Idempotency-Key")
            }
            let resource: String = used["resource"]
            guard let earlier = try stored(resource) else {
                throw APIError.notFound(what, id: resource)
            }
            return (earlier.record, false)
        }
        if let id, let earlier = try stored(id) {
            guard earlier.fingerprint == fingerprint else {
                throw APIError(
                    .conflict, code: "id-conflict",
                    message: "l’identifiant \(id) est déjà pris par un autre enregistrement / "
                        + "id \(id) is already taken by another record",
                    field: "id")
            }
            return (earlier.record, false)
        }
        let created = try create()
        if let key {
            try db.execute(
                sql: "INSERT INTO idempotency (key, resource, fingerprint, created) VALUES (?, ?, ?, ?)",
                arguments: [key, created.id, fingerprint, Timestamp.now.millisecondsSinceEpoch])
        }
        return (created.record, true)
    }

    /// Forgets the keys of a resource (erasure).
    public static func forget(resource: String, _ db: Database) throws {
        try db.execute(sql: "DELETE FROM idempotency WHERE resource = ?", arguments: [resource])
    }
}
