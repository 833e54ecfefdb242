import Foundation
import SeededRandom
import Testing

@testable import Messages

@Suite("CanonicalEncoder writes what Foundation's JSONEncoder writes, byte for byte")
struct CanonicalEncoderTests {
    @Test("every golden envelope, typed")
    func goldenEnvelopes() throws {
        let envelopes = try GoldenExamples.envelopes()
        #expect(envelopes.count >= 15)
        // (GoldenVectorTests hold CanonicalJSON.encode to the files themselves.)
        for (file, envelope) in envelopes {
            #expect(try CanonicalJSON.encode(envelope) == (try CanonicalJSON.foundationEncode(envelope)), "\(file)")
        }
    }

    @Test("the records on their own, with optional fields present and absent")
    func records() throws {
        let offer = try GoldenExamples.seasonalOffer()
        var closed = try GoldenExamples.weldingOfferClosed()
        closed.endDate = nil
        let profile = try GoldenExamples.aminataProfile()
        let candidate = Candidate(
            profile: profile, name: PersonName(given: "Aminata", family: "Traoré"),
            contact: Contact(phone: "+22376123456", preferredChannel: .sms, language: .bm))
        try same(offer)
        try same(closed)
        try same(profile)
        try same(candidate)
        try same(candidate.contactDetails)
        try same([offer, closed])
        try same(["a": profile])
    }

    @Test("2,000 random JSON values: strings with controls, quotes and non-ASCII, odd keys, numbers")
    func randomValues() throws {
        // Seeded, so a failing value can be rebuilt.
        var rng = SplitMix64(seed: 11)
        for number in 0..<2_000 {
            let value = Self.randomValue(depth: 0, &rng)
            #expect(
                try CanonicalJSON.encode(value) == (try CanonicalJSON.foundationEncode(value)),
                "value \(number): \(value)")
        }
    }

    func same(_ value: some Encodable) throws {
        let fast = try CanonicalJSON.encode(value)
        let reference = try CanonicalJSON.foundationEncode(value)
        #expect(
            fast == reference, "\(String(decoding: fast, as: UTF8.self))\n\(String(decoding: reference, as: UTF8.self))"
        )
    }

    static let pieces: [String] = [
        "a", "Z", "é", "ß", "中", "😀", "\"", "\\", "/", "\n", "\r", "\t", "\u{08}", "\u{0C}", "\u{01}", "\u{1F}",
        "\u{7F}", "\u{2028}", " ", "0", "key", "Ω", "\u{00A0}", "ﬁ", "e\u{301}",
    ]

    static func randomString(_ rng: inout SplitMix64) -> String {
        (0..<Int.random(in: 0...6, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
    }

    static func randomValue(depth: Int, _ rng: inout SplitMix64) -> JSONValue {
        let kind = Int.random(in: 0..<(depth > 3 ? 5 : 7), using: &rng)
        switch kind {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2:
            return .int(
                [Int64.min, Int64.max, 0, -1, Int64.random(in: -1_000_000...1_000_000, using: &rng)].randomElement(
                    using: &rng)!)
        case 3:
            return .double(
                [
                    0.1, -2.5, 1e20, 1e-7, 123456.789, 1.0 / 3.0, 5e-324, 1.7976931348623157e308, -0.0, 100.0,
                    Double.random(in: -1e6...1e6, using: &rng), Double.nan, Double.infinity, -Double.infinity,
                ].randomElement(using: &rng)!)
        case 4: return .string(randomString(&rng))
        case 5: return .array((0..<Int.random(in: 0...4, using: &rng)).map { _ in randomValue(depth: depth + 1, &rng) })
        default:
            var members: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 0...5, using: &rng) {
                members[randomString(&rng)] = randomValue(depth: depth + 1, &rng)
            }
            return .object(members)
        }
    }
}
