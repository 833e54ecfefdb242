import HTTPTypes
import Messages
import Testing

@testable import ServiceKit

/// The strict reading of request bodies: what a hostile client might send, and the 4xx that
/// names the field at fault.
@Suite("APIBody")
struct APIBodyTests {
    struct Sample: Codable, Equatable {
        struct Inner: Codable, Equatable { var level: String }
        var count: Int
        var amount: Double?
        var inner: [Inner]?
    }

    static func error(_ text: String) -> APIError? {
        do {
            _ = try APIBody.decode(Sample.self, from: Array(text.utf8))
            return nil
        } catch {
            return error
        }
    }

    @Test("a duplicate key is 400 duplicate-key naming its path")
    func duplicateKey() {
        let top = Self.error(#"{"count":1,"count":2}"#)
        #expect(top?.status == .badRequest)
        #expect(top?.code == "duplicate-key")
        #expect(top?.field == "count")
        let nested = Self.error(#"{"count":1,"inner":[{"level":"B2","l\u0065vel":"C1"}]}"#)
        #expect(nested?.code == "duplicate-key")
        #expect(nested?.field == "inner[0].level")
        #expect(nested?.message.contains(" / ") == true)
    }

    @Test(
        "a number out of range for its field is 422 invalid-field naming it",
        arguments: [
            #"{"count":40.5}"#, #"{"count":18446744073709551616}"#, #"{"count":1e309}"#, #"{"count":-1e309}"#,
            #"{"count":9223372036854775808}"#, #"{"count":1e19}"#,
        ])
    func numberOutOfRange(_ text: String) {
        let error = Self.error(text)
        #expect(error?.status == .unprocessableContent, "\(String(describing: error))")
        #expect(error?.code == "invalid-field", "\(String(describing: error))")
        #expect(error?.field == "count", "\(String(describing: error))")
    }

    @Test("a Double field out of range is named too")
    func doubleOutOfRange() {
        let error = Self.error(#"{"count":1,"amount":1e309}"#)
        #expect(error?.code == "invalid-field")
        #expect(error?.field == "amount")
    }

    @Test(
        "syntax errors stay 400 invalid-json, without a field",
        arguments: [#"{"count":1,}"#, #"{"count":1} x"#, "{\"count\":01}"])
    func syntax(_ text: String) {
        let error = Self.error(text)
        #expect(error?.code == "invalid-json")
        #expect(error?.field == nil)
    }

    @Test("a valid body decodes")
    func valid() throws {
        let sample = try APIBody.decode(Sample.self, from: Array(#"{"count":40,"amount":1.5e3}"#.utf8))
        #expect(sample == Sample(count: 40, amount: 1500, inner: nil))
    }
}
