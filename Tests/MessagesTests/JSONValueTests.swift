import Foundation
import Messages
import Testing

/// Arbitrary JSON survives decoding and encoding, integers exactly.
@Suite("JSONValue")
struct JSONValueTests {
    private func roundTrip(_ text: String) throws -> String {
        String(
            decoding: try CanonicalJSON.encode(try CanonicalJSON.decode(JSONValue.self, from: Array(text.utf8))),
            as: UTF8.self)
    }

    @Test("integers round-trip exactly, up to the Int64 limits")
    func integers() throws {
        for text in ["[9223372036854775807]", "[-9223372036854775808]", "[9007199254740993]", "[0]", "[-1]"] {
            #expect(try roundTrip(text) == text)
        }
        let value = try CanonicalJSON.decode(JSONValue.self, from: Array("[9007199254740993]".utf8))
        #expect(value[0] == .int(9_007_199_254_740_993))
    }

    @Test("numbers with a fraction are doubles; an integral fraction reads as an integer")
    func doubles() throws {
        #expect(
            try CanonicalJSON.decode(JSONValue.self, from: Array("[0.1,87.5]".utf8))
                == .array([.double(0.1), .double(87.5)]))
        #expect(try roundTrip("[80.0]") == "[80]")
        #expect(try roundTrip("[9223372036854775808]") == "[9.223372036854776e+18]")
    }

    @Test("every kind of value, with keys sorted and slashes and non-ASCII left as they are")
    func everyKind() throws {
        let text = #"{"z":null,"a":[true,false,"é/😀\n\"\\"],"M":{"b":{},"a":[]}}"#
        #expect(try roundTrip(text) == #"{"M":{"a":[],"b":{}},"a":[true,false,"é/😀\n\"\\"],"z":null}"#)
    }

    @Test("object keys equal under Unicode normalisation collapse into one, without crashing")
    func normalisedKeys() throws {
        // Swift's String equality is canonical equivalence: "é" and "e\u{301}" are one key.
        let value = try CanonicalJSON.decode(JSONValue.self, from: Array(#"{"\#u{E9}":1,"e\#u{301}":2}"#.utf8))
        guard case .object(let members) = value else {
            Issue.record("expected an object, got \(value)")
            return
        }
        #expect(members.count == 1)
    }

    @Test("subscripts reach into objects and arrays")
    func subscripts() {
        let value = JSONValue.object(["list": .array([.string("x")])])
        #expect(value["list"]?[0] == .string("x"))
        #expect(value["list"]?[1] == nil)
        #expect(value["missing"] == nil)
        #expect(JSONValue.int(1)["a"] == nil)
    }
}
