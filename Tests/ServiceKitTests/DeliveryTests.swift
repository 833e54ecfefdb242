import Bus
import Foundation
import GRDB
import Logging
import Messages
import ServiceKit
import ServiceLifecycle
import Testing

/// A fresh data folder under the temporary directory.
func temporaryDirectory() -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("passerelle-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func sampleEvent(_ number: Int, stream: String = "e2e") -> Event {
    .unknown(topic: "\(stream).sample", payload: .object(["n": .int(Int64(number))]))
}

@Suite("Outbox: events stored with the state change, numbered per stream", .timeLimit(.minutes(1)))
struct OutboxTests {
    @Test("seqs are gap-free per stream, and a rolled-back transaction leaves neither row nor seq")
    func numbering() async throws {
        let database = try ServiceDatabase(directory: temporaryDirectory(), name: "test")
        let outbox = Outbox(source: "offer-registry")
        try await database.pool.write { db in
            try outbox.append(sampleEvent(1, stream: "offer"), in: db)
            try outbox.append(sampleEvent(2, stream: "offer"), in: db)
            try outbox.append(sampleEvent(1, stream: "candidate"), in: db)
        }
        await #expect(throws: (any Error).self) {
            try await database.pool.write { db in
                try outbox.append(sampleEvent(3, stream: "offer"), in: db)
                throw CancellationError()  // the state change failed: nothing may remain
            }
        }
        let envelope = try await database.pool.write { db in try outbox.append(sampleEvent(4, stream: "offer"), in: db)
        }
        #expect(envelope.seq == 3)
        #expect(envelope.source == "offer-registry")
        let latest = try await database.pool.read { try Outbox.latest($0) }
        #expect(latest == ["offer": 3, "candidate": 1])
    }

    @Test("a batch append numbers its events after the stored ones, per stream, in order")
    func batchAppend() async throws {
        let database = try ServiceDatabase(directory: temporaryDirectory(), name: "test")
        let outbox = Outbox(source: "offer-registry")
        try await database.pool.write { db in try outbox.append(sampleEvent(1, stream: "offer"), in: db) }
        let envelopes = try await database.pool.write { db in
            try outbox.append(
                contentsOf: [
                    sampleEvent(2, stream: "offer"), sampleEvent(1, stream: "candidate"),
                    sampleEvent(3, stream: "offer"),
                ], in: db)
        }
        #expect(envelopes.map(\.seq) == [2, 1, 3])
        #expect(envelopes.map(\.payload.stream) == ["offer", "candidate", "offer"])
        let stored = try await database.pool.read { try Outbox.messages(stream: "offer", from: 1, limit: 10, $0) }
        #expect(stored.map(\.seq) == [1, 2, 3])
        let numbers = try stored.map { row -> JSONValue? in
            guard case .unknown(_, let payload) = try Envelope.decode(bytes: row.envelope).payload else { return nil }
            return payload["n"]
        }
        #expect(numbers == [.int(1), .int(2), .int(3)])
    }

    @Test("redaction rewrites payloads, keeps id and seq, and leaves no trace in the file")
    func redaction() async throws {
        let directory = temporaryDirectory()
        let database = try ServiceDatabase(directory: directory, name: "registry")
        let outbox = Outbox(source: "candidate-registry")
        let secret = "+22376543210"
        let original = try await database.pool.write { db in
            try outbox.append(.unknown(topic: "contact.note", payload: .object(["phone": .string(secret)])), in: db)
        }
        let count = try await database.pool.write { db in
            try Outbox.redact(
                stream: "contact", in: db,
                replacement: { _ in .unknown(topic: "contact.note", payload: .object(["redacted": .bool(true)])) },
                matching: { $0.payload.topic == "contact.note" })
        }
        #expect(count == 1)
        let stored = try await database.pool.read { db in try Outbox.messages(stream: "contact", from: 1, limit: 10, db)
        }
        let redacted = try Envelope.decode(bytes: stored[0].envelope)
        #expect(redacted.id == original.id && redacted.seq == original.seq)
        #expect(redacted.payload == .unknown(topic: "contact.note", payload: .object(["redacted": .bool(true)])))
        try await database.pool.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
        for file in try FileManager.default.contentsOfDirectory(atPath: directory) {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: directory).appendingPathComponent(file))
            #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(file) still holds the phone number")
        }
    }
}

@Suite("OutboxRelay and ReplayServer: publish what committed, serve the history", .timeLimit(.minutes(1)))
struct RelayAndReplayTests {
    @Test("committed events are published in order at once, and heartbeats announce the latest seq")
    func relayPublishes() async throws {
        let database = try ServiceDatabase(directory: temporaryDirectory(), name: "relay")
        let outbox = Outbox(source: "fixture")
        let endpoint = "inproc://relay-\(UUID().uuidString)"
        let publisher = try BusPublisher(bind: [endpoint])
        let subscriber = try BusSubscriber(connect: [endpoint], prefixes: ["e2e.", "heartbeat.fixture"])
        try await publisher.waitForSubscriber(covering: "heartbeat.fixture", timeout: .seconds(5))
        let relay = OutboxRelay(
            database: database, publisher: publisher, source: "fixture", replayEndpoint: "tcp://127.0.0.1:7999",
            heartbeatInterval: .milliseconds(100), logger: Logger(label: "relay"))
        let group = ServiceGroup(services: [relay], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            for batch in 0..<10 {
                try await database.pool.write { db in
                    for index in 1...100 { try outbox.append(sampleEvent(batch * 100 + index), in: db) }
                }
            }
            var next: Int64 = 1
            var announced: Int64 = 0
            while announced < 1_000, let delivery = try await subscriber.next() {
                guard case .message(let message) = delivery else { continue }
                let header = try EnvelopeHeader.decode(topic: message.topic, bytes: message.envelope)
                if header.stream == "heartbeat" {
                    announced =
                        header.payload["streams"]?["e2e"].flatMap { if case .int(let n) = $0 { n } else { nil } } ?? 0
                    #expect(announced < next, "a heartbeat never runs ahead of the messages")
                    #expect(header.payload["replay"] == .string("tcp://127.0.0.1:7999"))
                } else {
                    #expect(header.seq == next)
                    next += 1
                }
            }
            #expect(next == 1_001)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        await subscriber.close()
    }

    @Test("a replay returns the stream from the asked seq in bounded batches, with the latest seq")
    func replayBatches() async throws {
        let (database, server, client) = try await replayFixture(events: 2_500)
        try await withReplayServer(server) {
            let first = try await client.fetch(stream: "e2e", from: 1, limit: 5_000, timeout: .seconds(5))
            #expect(first.messages.count == ReplayProtocol.maximumBatch)
            #expect(first.latest == 2_500)
            let tail = try await client.fetch(stream: "e2e", from: 2_001, timeout: .seconds(5))
            #expect(tail.messages.count == 500)
            let seqs = try tail.messages.map { try EnvelopeHeader.decode(bytes: $0.envelope).seq }
            #expect(seqs == Array(2_001...2_500))
            let beyond = try await client.fetch(stream: "e2e", from: 2_501, timeout: .seconds(5))
            #expect(beyond.messages.isEmpty && beyond.latest == 2_500)
            let other = try await client.fetch(stream: "offer", from: 1, timeout: .seconds(5))
            #expect(other.messages.isEmpty && other.latest == 0)
        }
        _ = database
        await client.close()
    }

    @Test("garbage requests are refused with a reason, and the server keeps serving")
    func garbageRequests() async throws {
        let (_, server, client) = try await replayFixture(events: 3)
        try await withReplayServer(server) {
            let raw = try BusSocket(type: .dealer, connect: [server.endpoint])
            for garbage: [[UInt8]] in [
                [Array("not json".utf8)], [Array("{}".utf8), Array("{}".utf8)],
                [Array(#"{"request":"r","stream":"e2e","from":0,"limit":1}"#.utf8)],
            ] {
                try await raw.send(garbage)
                let reply = try #require(try await raw.receive())
                let header = try CanonicalJSON.decode(ReplayProtocol.Header.self, from: reply[0])
                #expect(header.error != nil && reply.count == 1)
            }
            await raw.close()
            let good = try await client.fetch(stream: "e2e", from: 2, timeout: .seconds(5))
            #expect(good.messages.count == 2)
        }
        await client.close()
    }

    @Test("forged and mismatched replies are ignored or refused; a dead endpoint times out")
    func forgedReplies() async throws {
        let router = try BusSocket(type: .router, bind: ["tcp://127.0.0.1:*"])
        let endpoint = try #require(router.boundEndpoints.first)
        let client = try ReplayClient(endpoint: endpoint)
        let fetched = Task { try await client.fetch(stream: "offer", from: 5, timeout: .seconds(5)) }
        let request = try #require(try await router.receive())
        let asked = try CanonicalJSON.decode(ReplayProtocol.Request.self, from: request[1])
        // A reply to some other request: ignored. Then one for our id but the wrong stream.
        let forged = ReplayProtocol.Header(request: "someone-else", stream: "offer", from: 5, count: 0, latest: 9)
        try await router.send([request[0], Array(try CanonicalJSON.encode(forged))])
        let wrong = Envelope(source: "x", seq: 5, event: sampleEvent(1, stream: "candidate"))
        let header = ReplayProtocol.Header(request: asked.request, stream: "offer", from: 5, count: 1, latest: 9)
        try await router.send([
            request[0], Array(try CanonicalJSON.encode(header)), Array(wrong.type.utf8), wrong.encoded(),
        ])
        await #expect(throws: ReplayError.self) { _ = try await fetched.value }
        await router.close()

        await #expect(throws: ReplayError.timedOut(endpoint: endpoint, stream: "offer", from: 1)) {
            _ = try await client.fetch(stream: "offer", from: 1, timeout: .milliseconds(200))
        }
        await client.close()
    }
}

func replayFixture(events: Int) async throws -> (ServiceDatabase, ReplayServer, ReplayClient) {
    let database = try ServiceDatabase(directory: temporaryDirectory(), name: "replay")
    let outbox = Outbox(source: "fixture")
    try await database.pool.write { db in
        for index in 1...events { try outbox.append(sampleEvent(index), in: db) }
    }
    let server = try ReplayServer(database: database, endpoint: "tcp://127.0.0.1:*", logger: Logger(label: "replay"))
    return (database, server, try ReplayClient(endpoint: server.endpoint))
}

func withReplayServer(_ server: ReplayServer, _ body: () async throws -> Void) async throws {
    let group = ServiceGroup(services: [server], logger: Logger(label: "test"))
    try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        try await body()
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
    }
}
