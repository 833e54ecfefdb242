import Bus
import Foundation
import Messages
import ServiceKit
import Synchronization

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// An HTTP exchange with a spawned service.
struct HTTPResult: Sendable {
    let status: Int
    let body: Data
    let headers: [String: String]

    /// The body as JSON (nil when it is not).
    var json: JSONValue? { try? CanonicalJSON.decode(JSONValue.self, from: body) }
    /// `error.code`, `error.field` and `error.message` of an error body.
    var errorCode: String? { json?["error"]?["code"]?.string }
    var errorField: String? { json?["error"]?["field"]?.string }
    var errorMessage: String? { json?["error"]?["message"]?.string }
    var text: String { String(decoding: body, as: UTF8.self) }
}

extension JSONValue {
    var string: String? { if case .string(let value) = self { value } else { nil } }
}

/// Which API key a test request presents.
enum APIAuth: Sendable {
    /// An officer's key when security is on (the default); nothing when it is off.
    case officer
    /// No `Authorization` header at all.
    case none
    /// This `Authorization: Bearer` value.
    case key(String)
    /// The test key of `role`.
    case role(APIKeys.Role)
}

/// One request over real HTTP (URLSession on loopback).
func request(
    _ method: String, _ url: String, body: Data? = nil, headers: [String: String] = [:], auth: APIAuth = .officer
) async throws -> HTTPResult {
    var request = URLRequest(url: URL(string: url)!, timeoutInterval: 30)
    request.httpMethod = method
    request.httpBody = body
    if body != nil { request.setValue("application/json", forHTTPHeaderField: "Content-Type") }
    switch auth {
    case .officer where TestSecurity.isOn:
        request.setValue("Bearer \(TestSecurity.keys.officer)", forHTTPHeaderField: "Authorization")
    case .officer, .none: break
    case .key(let key): request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization")
    case .role(let role):
        request.setValue("Bearer \(TestSecurity.keys.api[role]!)", forHTTPHeaderField: "Authorization")
    }
    for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
    let (data, response) = try await URLSession.shared.data(for: request)
    let http = response as! HTTPURLResponse
    var fields: [String: String] = [:]
    for (name, value) in http.allHeaderFields { fields["\(name)".lowercased()] = "\(value)" }
    return HTTPResult(status: http.statusCode, body: data, headers: fields)
}

func request(
    _ method: String, _ url: String, json: JSONValue, headers: [String: String] = [:], auth: APIAuth = .officer
) async throws -> HTTPResult {
    try await request(method, url, body: Data(try CanonicalJSON.encode(json)), headers: headers, auth: auth)
}

/// A registry spawned on a broker, with its own data folder and replay port.
struct RunningService {
    let process: SpawnedProcess
    let base: String
    let dataDirectory: String

    static func start(
        _ name: String, broker: RunningBroker, dataDirectory: String, _ arguments: [String] = [],
        environment: [String: String] = [:]
    ) async throws -> RunningService {
        let process = try SpawnedProcess(
            name,
            [
                "--bus-publish", broker.publishers, "--bus-subscribe", broker.subscribers, "--data-dir", dataDirectory,
                "--http", "127.0.0.1:0", "--replay", "tcp://127.0.0.1:*",
                "--delivery-heartbeat-ms", "100",
            ] + arguments, environment: environment)
        let http = try await process.waitForStderr(#"address=(\S+) \[ServiceKit\] http listening"#)
        return RunningService(process: process, base: "http://\(http)", dataDirectory: dataDirectory)
    }
}

/// Everything published on some streams, collected in the background; tests wait (bounded)
/// for what they expect.
final class BusObserver: Sendable {
    private let subscriber: BusSubscriber
    private let seen = SeenEnvelopes()
    private let reader: Task<Void, Never>

    init(_ broker: RunningBroker, prefixes: [String], identity: String = "bus-tap-contact") throws {
        let subscriber = try BusSubscriber(
            connect: [broker.subscribers], prefixes: prefixes + ["heartbeat."],
            options: try TestSecurity.brokerOptions(identity))
        self.subscriber = subscriber
        let seen = self.seen
        reader = Task {
            while let delivery = try? await subscriber.next() {
                guard case .message(let message) = delivery,
                    let envelope = try? Envelope.decode(bytes: message.envelope)
                else { continue }
                seen.withLock { $0.append(envelope) }
            }
        }
    }

    /// Waits until `source` has sent a heartbeat, which proves this observer's subscriptions
    /// reached that publisher (they travel in order on one connection).
    func waitUntilConnected(to source: String, timeout: Duration = .seconds(20)) async throws {
        _ = try await first(timeout: timeout) { envelope in
            if case .heartbeat(let heartbeat) = envelope.payload { heartbeat.source == source } else { false }
        }
    }

    /// The first event (not heartbeat) of `topic` that `matches`, waiting up to `timeout`.
    func event(
        _ topic: String, timeout: Duration = .seconds(20), where matches: @escaping (Envelope) -> Bool = { _ in true }
    ) async throws -> Envelope {
        try await first(timeout: timeout) { $0.type == topic && matches($0) }
    }

    /// Waits until `count` events of `topic` have been seen; returns them.
    @discardableResult
    func events(_ topic: String, count: Int, timeout: Duration = .seconds(30)) async throws -> [Envelope] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let found = events([topic])
            if found.count >= count { return found }
            try await Task.sleep(for: .milliseconds(20))
        }
        let found = events([topic])
        throw ObserverError.notSeen(seen: ["\(found.count) of \(count) \(topic)"])
    }

    /// Events of the given topics seen so far, in order.
    func events(_ topics: Set<String>) -> [Envelope] {
        seen.withLock { $0.filter { topics.contains($0.type) } }
    }

    private func first(timeout: Duration, _ matches: (Envelope) -> Bool) async throws -> Envelope {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let found = seen.withLock({ $0.first(where: matches) }) { return found }
            try await Task.sleep(for: .milliseconds(20))
        }
        let topics = self.seen.withLock { $0.map(\.type) }
        throw ObserverError.notSeen(seen: topics.filter { !$0.hasPrefix("heartbeat.") })
    }

    func close() async {
        await subscriber.close()
        await reader.value
    }
}

/// The envelopes an observer has seen, shared with its reader task.
final class SeenEnvelopes: Sendable {
    private let envelopes = Mutex<[Envelope]>([])
    func withLock<T>(_ body: (inout [Envelope]) -> T) -> T { envelopes.withLock { body(&$0) } }
}

enum ObserverError: Error, CustomStringConvertible {
    case notSeen(seen: [String])
    var description: String {
        switch self {
        case .notSeen(let seen): "the expected event was not published; seen: \(seen)"
        }
    }
}
