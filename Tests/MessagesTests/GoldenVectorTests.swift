import Foundation
import Messages
import Testing

/// The files in `Golden/` are the schema's contract with clients in other languages.
@Suite("Golden vectors")
struct GoldenVectorTests {
    @Test("every known topic has a golden file", arguments: GoldenExamples.requiredTopics)
    func hasFile(topic: String) throws {
        let path = GoldenExamples.directory.appendingPathComponent(GoldenExamples.fileName(for: topic)).path
        #expect(FileManager.default.fileExists(atPath: path), "missing golden vector \(path)")
    }

    @Test("every known topic has an example to check it against")
    func everyTopicHasAnExample() throws {
        let examples = try GoldenExamples.envelopes()
        #expect(Set(examples.keys) == Set(GoldenExamples.requiredTopics.map(GoldenExamples.fileName(for:))))
    }

    @Test(
        "a golden file decodes to its example and re-encodes to the same bytes",
        arguments: GoldenExamples.requiredTopics)
    func roundTrip(topic: String) throws {
        let fileName = GoldenExamples.fileName(for: topic)
        let bytes = try TestSupport.goldenBytes(fileName)
        let expected = try #require(try GoldenExamples.envelopes()[fileName])

        let envelope = try Envelope.decode(topic: topic, bytes: bytes)
        #expect(envelope == expected)
        #expect(envelope.type == topic)
        #expect(envelope.encoded() == bytes, "re-encoding \(fileName) changed its bytes")
        #expect(bytes.last != UInt8(ascii: "\n"), "golden files end without a newline")
    }

    @Test("EnvelopeHeader reads every golden file with the same fields", arguments: GoldenExamples.requiredTopics)
    func header(topic: String) throws {
        let bytes = try TestSupport.goldenBytes(GoldenExamples.fileName(for: topic))
        let envelope = try Envelope.decode(topic: topic, bytes: bytes)
        let header = try EnvelopeHeader.decode(topic: topic, bytes: bytes)
        #expect(header.v == 1)
        #expect(header.id == envelope.id)
        #expect(header.source == envelope.source)
        #expect(header.seq == envelope.seq)
        #expect(header.time == envelope.time)
        #expect(header.correlation == envelope.correlation)
        #expect(header.stream == envelope.stream)
        #expect(
            try CanonicalJSON.encode(header.payload)
                == CanonicalJSON.encode(try #require(TestSupport.goldenJSON(topic)["payload"])))
    }

    @Test("the golden README documents the canonical form")
    func readme() throws {
        let readme = try String(
            contentsOf: GoldenExamples.directory.appendingPathComponent("README.md"), encoding: .utf8)
        for phrase in ["sorted", "lowercase", "milliseconds", "compact"] {
            #expect(readme.contains(phrase))
        }
    }

    /// Run with `PASSERELLE_UPDATE_GOLDEN=1` after a deliberate schema change, and review the diff.
    @Test(
        "regenerate the golden files",
        .enabled(if: ProcessInfo.processInfo.environment["PASSERELLE_UPDATE_GOLDEN"] == "1"))
    func regenerate() throws {
        for (fileName, envelope) in try GoldenExamples.envelopes() {
            try Data(envelope.encoded()).write(to: GoldenExamples.directory.appendingPathComponent(fileName))
        }
    }
}
