import Messages
import Testing

/// Dates are `YYYY-MM-DD`, real calendar days only.
@Suite("LocalDate")
struct LocalDateTests {
    @Test("parses and formats ISO dates")
    func roundTrip() throws {
        let date = try LocalDate("2027-02-01")
        #expect((date.year, date.month, date.day) == (2027, 2, 1))
        #expect(date.description == "2027-02-01")
        #expect(try LocalDate(year: 7, month: 3, day: 9).description == "0007-03-09")
    }

    @Test("leap days exist only in leap years")
    func leapDays() throws {
        #expect(try LocalDate("2028-02-29").description == "2028-02-29")
        #expect(try LocalDate("2000-02-29").description == "2000-02-29")
        #expect(throws: MessageError.self) { try LocalDate("2027-02-29") }
        #expect(throws: MessageError.self) { try LocalDate("1900-02-29") }
        #expect(try LocalDate("2028-02-28").adding(days: 1).description == "2028-02-29")
        #expect(try LocalDate("2028-02-29").adding(days: 1).description == "2028-03-01")
    }

    @Test(
        "rejects what is not a real YYYY-MM-DD day",
        arguments: [
            "", "2027-00-10", "2027-13-01", "2027-04-31", "2027-01-00", "2027-2-1", "27-02-01", "2027/02/01",
            "2027-02-01T00:00:00Z", " 2027-02-01", "2027-02-01 ", "+2027-02-01",
        ])
    func rejects(text: String) {
        do {
            _ = try LocalDate(text, field: "availableFrom")
            Issue.record("\(text) accepted")
        } catch {
            #expect(error.field == "availableFrom")
        }
    }

    @Test("orders chronologically")
    func ordering() throws {
        let dates = try ["2027-03-01", "2026-12-31", "2027-01-15", "2027-02-28"].map { try LocalDate($0) }
        #expect(dates.sorted().map(\.description) == ["2026-12-31", "2027-01-15", "2027-02-28", "2027-03-01"])
        #expect(try LocalDate("2027-01-15") < LocalDate("2027-03-01"))
    }

    @Test("counts days and takes the UTC day of a timestamp")
    func days() throws {
        #expect(try LocalDate("1970-01-01").daysSinceEpoch == 0)
        #expect(try LocalDate("2038-01-19").daysSinceEpoch == 24_855)
        #expect(try LocalDate("2027-03-01").daysSinceEpoch - LocalDate("2027-01-15").daysSinceEpoch == 45)
        #expect(LocalDate(try Timestamp(rfc3339: "2026-11-28T23:55:46.123-02:00")).description == "2026-11-29")
        #expect(LocalDate(Timestamp(millisecondsSinceEpoch: -1)).description == "1969-12-31")
    }

    @Test("Codable as the date string")
    func codable() throws {
        let dates = try CanonicalJSON.decode([LocalDate].self, from: Array(#"["2027-02-01","2028-02-29"]"#.utf8))
        #expect(try CanonicalJSON.encode(dates) == Array(#"["2027-02-01","2028-02-29"]"#.utf8))
        #expect(throws: MessageError.self) {
            try CanonicalJSON.decode([LocalDate].self, from: Array(#"["2027-02-29"]"#.utf8))
        }
    }
}
