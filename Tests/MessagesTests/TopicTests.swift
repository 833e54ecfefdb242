import Messages
import Testing

/// Topics are `<stream>.<event>`, lowercase, and every event knows its own.
@Suite("Topics")
struct TopicTests {
    @Test("known topics are valid and belong to their stream")
    func known() throws {
        #expect(Topic.known.count == 14)
        #expect(Set(Topic.known).count == Topic.known.count)
        for topic in Topic.known {
            try Topic.validate(topic)
        }
        #expect(Set(Topic.known.map(Topic.stream(of:))) == ["offer", "candidate", "contact", "match", "notification"])
    }

    @Test("heartbeat topics carry the source")
    func heartbeat() throws {
        let topic = Topic.heartbeat(source: "offer-registry")
        #expect(topic == "heartbeat.offer-registry")
        #expect(Topic.stream(of: topic) == Topic.heartbeatStream)
        try Topic.validate(topic)
    }

    @Test("the stream is the first segment; a stream's subscription prefix ends with a dot")
    func streams() {
        #expect(Topic.stream(of: "notification.reply") == "notification")
        #expect(Topic.stream(of: "a.b.c") == "a")
        #expect(Topic.prefix(ofStream: "offer") == "offer.")
    }

    @Test(
        "rejects malformed topics",
        arguments: [
            "", "offer", "offer.", ".offer", "offer..published", "Offer.published", "offer.Published",
            "offer published",
            "offer_published.x", "offer.publiée", "offer.published\n", "offer/published.x",
        ])
    func rejects(topic: String) {
        #expect(throws: MessageError.self) { try Topic.validate(topic) }
    }

    @Test("a topic frame must be UTF-8")
    func frames() throws {
        #expect(try Topic.validate(frame: Array("match.found".utf8)) == "match.found")
        #expect(throws: MessageError.self) { try Topic.validate(frame: [0x6F, 0x2E, 0xFF]) }
    }

    @Test("each event names its topic and stream")
    func eventTopics() throws {
        for (fileName, envelope) in try GoldenExamples.envelopes() {
            #expect(GoldenExamples.fileName(for: envelope.payload.topic) == fileName)
            #expect(envelope.stream == Topic.stream(of: envelope.type))
        }
        #expect(Event.unknown(topic: "visa.issued", payload: .null).stream == "visa")
    }
}
