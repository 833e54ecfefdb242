import Foundation
import Messages
import SeededRandom
import Testing

/// `time` is RFC 3339 UTC with exactly three fraction digits, held as whole milliseconds.
@Suite("Timestamp")
struct TimestampTests {
    private func parse(_ text: String) throws -> Timestamp { try Timestamp(rfc3339: text) }

    @Test("formats with three fraction digits and Z")
    func formatting() {
        #expect(Timestamp(millisecondsSinceEpoch: 0).rfc3339 == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp(millisecondsSinceEpoch: 1_795_910_146_123).rfc3339 == "2026-11-28T23:55:46.123Z")
        #expect(Timestamp(millisecondsSinceEpoch: 7).rfc3339 == "1970-01-01T00:00:00.007Z")
        #expect(Timestamp(millisecondsSinceEpoch: -1).rfc3339 == "1969-12-31T23:59:59.999Z")
    }

    @Test("parses with or without a fraction")
    func fractions() throws {
        #expect(try parse("2026-11-28T23:55:46Z").rfc3339 == "2026-11-28T23:55:46.000Z")
        #expect(try parse("2026-11-28T23:55:46.5Z").rfc3339 == "2026-11-28T23:55:46.500Z")
        #expect(try parse("2026-11-28T23:55:46.12Z").rfc3339 == "2026-11-28T23:55:46.120Z")
        #expect(try parse("2026-11-28t23:55:46.123z").rfc3339 == "2026-11-28T23:55:46.123Z")
    }

    @Test("digits below the millisecond are truncated, never rounded into the next second")
    func subMillisecond() throws {
        #expect(try parse("2026-11-28T23:55:46.123999Z").rfc3339 == "2026-11-28T23:55:46.123Z")
        #expect(try parse("2026-12-31T23:59:59.999999999Z").rfc3339 == "2026-12-31T23:59:59.999Z")
        #expect(Timestamp(Date(timeIntervalSince1970: 1_795_910_146.123)).millisecondsSinceEpoch == 1_795_910_146_123)
        #expect(Timestamp(Date(timeIntervalSince1970: 1_795_910_146.1239)).millisecondsSinceEpoch == 1_795_910_146_123)
        #expect(Timestamp(Date(timeIntervalSince1970: -0.0005)).millisecondsSinceEpoch == -1)
    }

    @Test("offsets convert to UTC, across days and years")
    func offsets() throws {
        #expect(try parse("2026-11-29T01:55:46.123+02:00") == (try parse("2026-11-28T23:55:46.123Z")))
        #expect(try parse("2026-12-31T22:30:00-03:00").rfc3339 == "2027-01-01T01:30:00.000Z")
        #expect(try parse("2027-01-01T00:15:00+05:45").rfc3339 == "2026-12-31T18:30:00.000Z")
        #expect(try parse("2026-11-28T23:55:46-00:00").rfc3339 == "2026-11-28T23:55:46.000Z")
    }

    @Test("leap days")
    func leapDays() throws {
        #expect(try parse("2028-02-29T12:00:00Z").rfc3339 == "2028-02-29T12:00:00.000Z")
        #expect(try parse("2000-02-29T00:00:00Z").rfc3339 == "2000-02-29T00:00:00.000Z")
        #expect(try parse("2028-03-01T00:30:00+01:00").rfc3339 == "2028-02-29T23:30:00.000Z")
        #expect(throws: MessageError.self) { try parse("2027-02-29T12:00:00Z") }
        #expect(throws: MessageError.self) { try parse("2100-02-29T12:00:00Z") }
    }

    @Test("2038 and beyond: no 32-bit overflow")
    func farFuture() throws {
        #expect(try parse("2038-01-19T03:14:08Z").millisecondsSinceEpoch == 2_147_483_648_000)
        #expect(try parse("2106-02-07T06:28:16Z").millisecondsSinceEpoch == 4_294_967_296_000)
        #expect(try parse("9999-12-31T23:59:59.999Z").millisecondsSinceEpoch == Timestamp.representableRange.upperBound)
        #expect(try parse("0000-01-01T00:00:00Z").millisecondsSinceEpoch == Timestamp.representableRange.lowerBound)
        #expect(Timestamp(millisecondsSinceEpoch: .max).rfc3339 == "9999-12-31T23:59:59.999Z")
        #expect(Timestamp(millisecondsSinceEpoch: .min).rfc3339 == "0000-01-01T00:00:00.000Z")
    }

    @Test(
        "rejects anything but RFC 3339",
        arguments: [
            "", "2026-11-28", "2026-11-28T23:55:46", "2026-11-28 23:55:46Z", "2026-11-28T23:55Z",
            "2026-11-28T24:00:00Z",
            "2026-11-28T23:60:00Z", "2026-12-31T23:59:60Z", "2026-11-28T23:55:46.Z", "2026-11-28T23:55:46+0200",
            "2026-11-28T23:55:46+24:00", "2026-11-28T23:55:46.123Zjunk", "2026-1-28T23:55:46Z", "+2026-11-28T23:55:46Z",
            "２０２６-11-28T23:55:46Z", "9999-12-31T23:59:59-01:00", "0000-01-01T00:00:00+00:01", "1795910146123",
        ])
    func rejects(text: String) {
        #expect(throws: MessageError.self) { try Timestamp(rfc3339: text, field: "receivedAt") }
        do {
            _ = try Timestamp(rfc3339: text, field: "receivedAt")
        } catch {
            #expect(error.field == "receivedAt")
        }
    }

    @Test("formatting and parsing agree with each other and with Foundation")
    func agreesWithFoundation() throws {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        var generator = SplitMix64(seed: 2026)
        for _ in 0..<2000 {
            // 1900...2200, where Foundation's formatter is exact.
            let milliseconds = Int64(generator.next() % 9_467_107_200_000) - 2_208_988_800_000
            let timestamp = Timestamp(millisecondsSinceEpoch: milliseconds)
            #expect(try parse(timestamp.rfc3339) == timestamp)
            #expect(formatter.string(from: timestamp.date) == timestamp.rfc3339)
        }
    }

    @Test("Codable as the RFC 3339 string, ordered by time")
    func codable() throws {
        let bytes = Array(#"["2026-11-28T23:55:46.123Z","2026-11-29T01:00:00+02:00"]"#.utf8)
        let times = try CanonicalJSON.decode([Timestamp].self, from: bytes)
        #expect(
            try CanonicalJSON.encode(times) == Array(#"["2026-11-28T23:55:46.123Z","2026-11-28T23:00:00.000Z"]"#.utf8))
        #expect(times[1] < times[0])
        #expect(Timestamp.now > times[0])
    }
}
