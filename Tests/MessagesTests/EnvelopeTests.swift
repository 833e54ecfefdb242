import Foundation
import Messages
import Testing

/// What a publisher builds and what goes on the wire.
@Suite("Envelope")
struct EnvelopeTests {
    private let heartbeat = Heartbeat(source: "matcher", streams: ["match": 12], replay: "tcp://127.0.0.1:7130")

    @Test("a new envelope has version 1, a fresh id and the event's topic")
    func defaults() {
        let first = Envelope(source: "matcher", seq: 0, event: .heartbeat(heartbeat))
        let second = Envelope(source: "matcher", seq: 0, event: .heartbeat(heartbeat))
        #expect(first.v == 1)
        #expect(first.id != second.id)
        #expect(first.type == "heartbeat.matcher")
        #expect(first.topicFrame == Array("heartbeat.matcher".utf8))
        #expect(first.correlation == nil)
    }

    @Test("the wire form is compact, sorted, with a lowercase id and no null correlation")
    func wireForm() throws {
        let id = try #require(UUID(uuidString: "1A5B7C9D-3E2F-4A6B-8C4D-9E7F1A3B5C62"))
        let envelope = Envelope(
            id: id, source: "matcher", seq: 0, time: Timestamp(millisecondsSinceEpoch: 1_795_910_146_123),
            event: .heartbeat(heartbeat))
        let text = String(decoding: envelope.encoded(), as: UTF8.self)
        #expect(
            text == #"{"id":"1a5b7c9d-3e2f-4a6b-8c4d-9e7f1a3b5c62","payload":{"replay":"tcp://127.0.0.1:7130","#
                + #""source":"matcher","streams":{"match":12}},"seq":0,"source":"matcher","#
                + #""time":"2026-11-28T23:55:46.123Z","type":"heartbeat.matcher","v":1}"#)
    }

    @Test("decodes from the two frames as received, with any case of UUID")
    func frames() throws {
        let envelope = Envelope(source: "matcher", seq: 0, correlation: "req-42", event: .heartbeat(heartbeat))
        let decoded = try Envelope.decode(topicFrame: envelope.topicFrame, bytes: envelope.encoded())
        #expect(decoded == envelope)
        #expect(try Envelope.decode(bytes: ArraySlice(envelope.encoded())) == envelope)

        let upper = String(decoding: envelope.encoded(), as: UTF8.self)
            .replacingOccurrences(of: envelope.id.uuidString.lowercased(), with: envelope.id.uuidString)
        #expect(try Envelope.decode(bytes: Array(upper.utf8)).id == envelope.id)
    }

    @Test("optional fields are omitted when nil")
    func omitsNil() throws {
        var offer = try GoldenExamples.seasonalOffer()
        offer.endDate = nil
        offer.version = nil
        let json = try CanonicalJSON.decode(JSONValue.self, from: try CanonicalJSON.encode(offer))
        #expect(json["endDate"] == nil)
        #expect(json["version"] == nil)
        #expect(json["closedReason"] == nil)
        let text = String(
            decoding: try CanonicalJSON.encode(Contact(preferredChannel: .none, language: .bm)), as: UTF8.self)
        #expect(text == #"{"language":"bm","preferredChannel":"none"}"#)
    }

    @Test("non-finite numbers never crash the encoder and are refused by readers")
    func nonFinite() throws {
        var match = try GoldenExamples.careAssistantMatch()
        match.score = .nan
        let envelope = Envelope(source: "matcher", seq: 1, event: .matchFound(match))
        let error = TestSupport.messageError { () throws(MessageError) in
            _ = try Envelope.decode(bytes: envelope.encoded())
        }
        #expect(error == .wrongType(field: "payload.score", expected: "a number"))
    }
}
