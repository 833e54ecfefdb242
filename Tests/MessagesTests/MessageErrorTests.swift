import Foundation
import Messages
import Testing

/// A bad message is rejected with an error that names the field at fault.
@Suite("Decoding errors name the field")
struct MessageErrorTests {
    private func decodeError(_ topic: String, _ bytes: [UInt8]) -> MessageError? {
        TestSupport.messageError { () throws(MessageError) in _ = try Envelope.decode(topic: topic, bytes: bytes) }
    }

    private func editedError(_ topic: String, _ path: String, _ value: JSONValue?) throws -> MessageError? {
        decodeError(topic, try TestSupport.edited(topic, path, value))
    }

    @Test("bytes that are not a JSON object", arguments: ["", "nope", "[1,2]", "42", "{\"v\":1", "null"])
    func notJSON(text: String) throws {
        let error = decodeError(Topic.offerPublished, Array(text.utf8))
        guard case .notJSON = error else {
            Issue.record("expected notJSON, got \(String(describing: error))")
            return
        }
        #expect(error?.field == nil)
    }

    @Test("a JSON value that is not an object says what was expected")
    func notAnObject() {
        let error = decodeError(Topic.offerPublished, Array("[1,2]".utf8))
        #expect(error == .notJSON(reason: "the top-level value must be an object"))
    }

    @Test("invalid UTF-8 is reported as such")
    func invalidUTF8() {
        let error = decodeError(Topic.offerPublished, [0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D])
        #expect(error == .notJSON(reason: "not valid UTF-8"))
    }

    @Test("a field of the wrong JSON type")
    func wrongType() throws {
        #expect(
            try editedError(Topic.offerPublished, "seq", .string("141"))
                == .wrongType(field: "seq", expected: "an integer"))
        #expect(
            try editedError(Topic.offerPublished, "payload.salary.amount", .string("1184"))
                == .wrongType(field: "payload.salary.amount", expected: "a number"))
        #expect(
            try editedError(Topic.offerPublished, "payload.requirements.languages.0.level", .int(2))
                == .wrongType(field: "payload.requirements.languages[0].level", expected: "a string"))
        #expect(
            try editedError(Topic.candidateRegistered, "payload.consent.matching", .string("oui"))
                == .wrongType(field: "payload.consent.matching", expected: "a boolean"))
        #expect(try editedError(Topic.offerPublished, "payload.title", .null)?.field == "payload.title")
    }

    @Test("a missing required field")
    func missingField() throws {
        #expect(try editedError(Topic.offerPublished, "time", nil) == .missingField(field: "time"))
        #expect(try editedError(Topic.offerPublished, "payload", nil) == .missingField(field: "payload"))
        #expect(
            try editedError(Topic.offerPublished, "payload.salary.currency", nil)
                == .missingField(field: "payload.salary.currency"))
        #expect(
            try editedError(Topic.contactUpdated, "payload.contact.preferredChannel", nil)
                == .missingField(field: "payload.contact.preferredChannel"))
    }

    @Test("a value outside its code list names the field and the accepted values")
    func badEnum() throws {
        let error = try editedError(Topic.offerPublished, "payload.contract", .string("temporary"))
        #expect(error?.field == "payload.contract")
        #expect(error?.description.contains("seasonal, fixed-term, permanent, apprenticeship") == true)
    }

    @Test(
        "a bad time", arguments: ["2026-11-28 09:12:03Z", "2026-11-28T09:12:03", "2026-02-30T09:12:03Z", "yesterday"])
    func badTime(text: String) throws {
        let error = try editedError(Topic.offerPublished, "time", .string(text))
        #expect(error?.field == "time")
        #expect(error?.description.contains(text) == true)
    }

    @Test("a bad time inside a payload")
    func badPayloadTime() throws {
        let error = try editedError(
            Topic.candidateRegistered, "payload.consent.givenAt", .string("2026-11-28T25:00:00Z"))
        #expect(error?.field == "payload.consent.givenAt")
    }

    @Test("a bad date", arguments: ["2027-02-29", "2027-13-01", "2027-2-1", "01/02/2027", "2027-02-01T00:00:00Z"])
    func badDate(text: String) throws {
        let error = try editedError(Topic.offerPublished, "payload.startDate", .string(text))
        #expect(error?.field == "payload.startDate")
    }

    @Test("a topic frame that disagrees with the envelope's type")
    func typeMismatch() throws {
        let bytes = try TestSupport.goldenBytes("offer.published.json")
        let error = decodeError(Topic.offerUpdated, bytes)
        #expect(error == .typeMismatch(topic: "offer.updated", type: "offer.published"))
        #expect(error?.field == "type")
    }

    @Test(
        "an invalid topic frame",
        arguments: ["", "offer", "Offer.Published", "offer..published", "offer.published.", "offre.publiée"])
    func invalidTopicFrame(topic: String) throws {
        let error = decodeError(topic, try TestSupport.goldenBytes("offer.published.json"))
        guard case .invalidTopic(let named, _) = error else {
            Issue.record("expected invalidTopic, got \(String(describing: error))")
            return
        }
        #expect(named == topic)
        #expect(error?.field == "topic")
    }

    @Test("an invalid topic in the envelope's type field")
    func invalidType() throws {
        let error = try editedError(Topic.offerPublished, "type", .string("OFFER.published"))
        #expect(error?.field == "type")
    }

    @Test("an envelope version this build does not read")
    func unsupportedVersion() throws {
        let error = try editedError(Topic.offerPublished, "v", .int(2))
        #expect(error == .unsupportedVersion(2))
        #expect(error?.field == "v")
    }

    @Test("other invalid envelope fields")
    func invalidEnvelopeFields() throws {
        #expect(try editedError(Topic.offerPublished, "id", .string("not-a-uuid"))?.field == "id")
        #expect(try editedError(Topic.offerPublished, "seq", .int(-1))?.field == "seq")
        #expect(try editedError(Topic.offerPublished, "source", .string("Offer Registry"))?.field == "source")
    }

    @Test("invalid payload values")
    func invalidPayloadValues() throws {
        #expect(try editedError(Topic.matchFound, "payload.score", .double(100.5))?.field == "payload.score")
        let heartbeat = Topic.heartbeat(source: "offer-registry")
        #expect(try editedError(heartbeat, "payload.source", .string("matcher"))?.field == "payload.source")
    }

    @Test("every error describes itself with its field")
    func descriptions() {
        let errors: [MessageError] = [
            .missingField(field: "payload.salary.currency"),
            .wrongType(field: "payload.salary.currency", expected: "a string"),
            .invalidField(field: "payload.salary.currency", reason: "…"),
        ]
        for error in errors {
            #expect(error.description.contains("payload.salary.currency"))
        }
        #expect(MessageError.typeMismatch(topic: "a.b", type: "c.d").description.contains("'type'"))
        #expect(MessageError.unsupportedVersion(2).description.contains("v=2"))
    }
}
