import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Messages
import ServiceKit

/// A service built in the test process by its own `build(settings:)`, on a fresh data folder
/// (``ServiceSettings/inProcess(_:dataDirectory:_:)``), driven through its router: no
/// process, no port, milliseconds per test. What crosses processes stays in EndToEndTests.
public struct ServiceUnderTest {
    public let service: AssembledService
    public let dataDirectory: String
    public let name: String

    /// Builds `command`'s service; `settings` adds settings by key (`offers.review`).
    public init<Command: ServiceCommand>(_ command: Command.Type, settings: [String: String] = [:]) async throws {
        name = Command.identity.name
        dataDirectory =
            FileManager.default.temporaryDirectory
            .appendingPathComponent("passerelle-\(name)-\(UUID().uuidString)").path
        service = try await Command.build(
            settings: try await .inProcess(Command.identity, dataDirectory: dataDirectory, settings))
    }

    /// Runs `body` with a client on the service's router.
    public func withClient(_ body: @escaping @Sendable (Client) async throws -> Void) async throws {
        try await service.application.test(.router) { client in try await body(Client(client: client)) }
    }

    /// A client that sends JSON and reads the answer as JSON.
    public struct Client: Sendable {
        let client: any TestClientProtocol

        /// Sends `json` (encoded canonically) to `uri`, with `headers` by name.
        public func send(
            _ method: HTTPRequest.Method, _ uri: String, json: JSONValue? = nil, headers: [String: String] = [:]
        ) async throws -> Answer {
            try await send(
                method, uri, text: json.map { String(decoding: try CanonicalJSON.encode($0), as: UTF8.self) },
                headers: headers)
        }

        /// Sends `text` as the JSON body: for bodies `JSONValue` cannot hold.
        public func send(
            _ method: HTTPRequest.Method, _ uri: String, text: String?, headers: [String: String] = [:]
        ) async throws -> Answer {
            var fields = HTTPFields()
            for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
            if text != nil { fields[.contentType] = "application/json" }
            let response = try await client.executeRequest(
                uri: uri, method: method, headers: fields, body: text.map { ByteBuffer(string: $0) })
            let text = String(buffer: response.body)
            return Answer(
                status: response.status, text: text,
                json: try? CanonicalJSON.decode(JSONValue.self, from: Array(text.utf8)))
        }
    }

    public struct Answer: Sendable {
        public let status: HTTPResponse.Status
        public let text: String
        public let json: JSONValue?
    }

    /// The service's outbox, in seq order per stream: (stream, seq, topic, record).
    public func outbox() throws -> [(stream: String, seq: Int64, topic: String, record: String?)] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT stream, seq, topic, record FROM outbox ORDER BY stream, seq").map {
                ($0["stream"], $0["seq"], $0["topic"], $0["record"])
            }
        }
    }

    /// The envelopes of `stream` in the outbox, as stored (JSON text).
    public func envelopes(stream: String) throws -> [String] {
        try read { db in
            try Data.fetchAll(db, sql: "SELECT envelope FROM outbox WHERE stream = ? ORDER BY seq", arguments: [stream])
                .map { String(decoding: $0, as: UTF8.self) }
        }
    }

    /// Reads the service's SQLite file beside it (read-only).
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(
            path: (dataDirectory as NSString).appendingPathComponent("\(name).sqlite"), configuration: configuration)
        defer { try? queue.close() }
        return try queue.read(body)
    }

    /// The files of the data folder whose bytes contain `text` (the database, its WAL…).
    public func filesContaining(_ text: String) throws -> [String] {
        try ServiceTesting.filesContaining(text, under: dataDirectory)
    }
}

/// The files under `directory` (paths relative to it) whose bytes contain `needle`: what an
/// erasure test searches for a person's name or number.
public func filesContaining(_ needle: String, under directory: String) throws -> [String] {
    try FileManager.default.subpathsOfDirectory(atPath: directory).filter { name in
        let data = FileManager.default.contents(atPath: (directory as NSString).appendingPathComponent(name))
        return data?.range(of: Data(needle.utf8)) != nil
    }
}
