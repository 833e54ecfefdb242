import Bus
import GRDB
import Logging
import Messages
import ServiceTesting
import Testing

@testable import ServiceKit

@Suite("Outbox floor: a restored publisher numbers past what it may have published", .timeLimit(.minutes(1)))
struct OutboxFloorTests {
    @Test("after a floor, the next seq is floor + 1, latest stays the newest row, and replay names the jump absent")
    func numbersPastTheFloor() async throws {
        let (database, server, client) = try await replayFixture(events: 5)
        let outbox = Outbox(source: "fixture")
        let stream = sampleEvent(1).stream
        try await database.pool.write { db in
            try OutboxFloor.raise([stream: 1_000], db)
            // Never lowered: a second restore with an older figure keeps the higher floor.
            try OutboxFloor.raise([stream: 500], db)
            #expect(try Outbox.latest(stream: stream, db) == 5, "no row beyond 5 yet: heartbeats still say 5")
        }
        let seqs = try await database.pool.write { db in
            [try outbox.append(sampleEvent(6), in: db).seq]
                + (try outbox.append(contentsOf: [sampleEvent(7), sampleEvent(8)], in: db).map(\.seq))
        }
        #expect(seqs == [1_001, 1_002, 1_003])
        #expect(try await database.pool.read { try OutboxFloor.all($0) } == [stream: 1_000])
        try await withReplayServer(server) {
            // A reader that had applied up to 8 from the lost copy: 9…1000 are gone on purpose.
            let batch = try await client.fetch(stream: stream, from: 9, timeout: .seconds(5))
            let replayed = try batch.messages.map { try Envelope.decode(bytes: $0.envelope).seq }
            #expect(replayed == [1_001, 1_002, 1_003])
            #expect(batch.absent == [9...1_000] && batch.through == 1_003 && batch.latest == 1_003)
        }
        await client.close()
    }

    @Test("a stream without a floor, and a database without the table, number as before")
    func withoutFloor() async throws {
        let database = try ServiceDatabase(directory: temporaryDirectory(), name: "floorless")
        try await database.pool.write { db in
            try OutboxFloor.raise(["match": 10], db)
            let offer = try Outbox(source: "fixture").append(.offerPublished(.sample(id: "o-1")), in: db)
            #expect(offer.seq == 1)
        }
        let bare = try DatabaseQueue()
        let floor = try await bare.read { db in try OutboxFloor.floor(stream: "offer", db) }
        #expect(floor == 0)
    }
}
