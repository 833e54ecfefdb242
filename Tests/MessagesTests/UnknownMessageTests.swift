import Foundation
import Messages
import Testing

/// Old services pass new messages through: unknown topics and unknown fields are not errors.
@Suite("Unknown topics and fields")
struct UnknownMessageTests {
    static let futurePayload =
        #"{"archivedBy":"agent-17","big":9223372036854775807,"#
        + #""nested":{"list":[1,2.5,-3,null,true,"é/😀"],"precise":9007199254740993},"note":null,"ratio":0.1}"#

    static let futureMessage =
        #"{"id":"0b5c1e2d-7f3a-4c9e-8d1b-2a6f4e9c3d57","payload":"# + futurePayload
        + #","seq":17,"source":"offer-registry","time":"2027-01-04T08:00:00.000Z","type":"offer.archived","v":1}"#

    @Test("an unknown topic decodes as .unknown with its payload as JSON")
    func unknownTopic() throws {
        let envelope = try Envelope.decode(topic: "offer.archived", bytes: Array(Self.futureMessage.utf8))
        guard case .unknown(let topic, let payload) = envelope.payload else {
            Issue.record("expected .unknown, got \(envelope.payload)")
            return
        }
        #expect(topic == "offer.archived")
        #expect(envelope.stream == "offer")
        #expect(payload["big"] == .int(.max))
        #expect(payload["nested"]?["precise"] == .int(9_007_199_254_740_993))
        #expect(payload["note"] == .null)
    }

    @Test("an unknown topic re-encodes to the same payload and bytes")
    func unknownTopicPassesThrough() throws {
        let bytes = Array(Self.futureMessage.utf8)
        let envelope = try Envelope.decode(topic: "offer.archived", bytes: bytes)
        #expect(envelope.encoded() == bytes)
        let again = try Envelope.decode(topic: "offer.archived", bytes: envelope.encoded())
        #expect(again == envelope)
        #expect(
            try CanonicalJSON.encode(try EnvelopeHeader.decode(bytes: bytes).payload) == Array(Self.futurePayload.utf8))
    }

    @Test("a new stream the build has never heard of passes through too")
    func unknownStream() throws {
        let envelope = Envelope(
            source: "visa-tracker", seq: 1,
            event: .unknown(topic: "visa.issued", payload: .object(["offerId": .string("x")])))
        let decoded = try Envelope.decode(topic: "visa.issued", bytes: envelope.encoded())
        #expect(decoded == envelope)
        #expect(decoded.stream == "visa")
    }

    @Test("unknown envelope fields are ignored")
    func unknownEnvelopeFields() throws {
        let golden = try TestSupport.goldenBytes("offer.published.json")
        var json = try TestSupport.goldenJSON(Topic.offerPublished)
        json = json.setting(["trace"], to: .object(["span": .string("4f2a"), "sampled": .bool(true)]))
        json = json.setting(["priority"], to: .int(5))
        let envelope = try Envelope.decode(topic: Topic.offerPublished, bytes: try CanonicalJSON.encode(json))
        #expect(envelope == (try Envelope.decode(topic: Topic.offerPublished, bytes: golden)))
        #expect(envelope.encoded() == golden)
    }

    @Test("unknown payload fields of a known topic are ignored")
    func unknownPayloadFields() throws {
        let bytes = try TestSupport.edited(Topic.offerPublished, "payload.visaSponsored", .bool(true))
        let envelope = try Envelope.decode(topic: Topic.offerPublished, bytes: bytes)
        #expect(envelope.encoded() == (try TestSupport.goldenBytes("offer.published.json")))
    }
}
