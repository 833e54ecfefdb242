import CodeLists
import Messages
import Testing

@testable import Importing
@testable import passerelle

@Suite("Demo data: deterministic, valid against the code lists, realistic spread")
struct DemoGeneratorTests {
    static let today = try! LocalDate("2026-11-29")
    let generator = DemoGenerator(seed: 1, today: today)

    static let currencyByCountry = [
        "FR": "EUR", "ES": "EUR", "IT": "EUR", "DE": "EUR", "BE": "EUR", "CA": "CAD", "QA": "QAR", "SA": "SAR",
        "AE": "AED", "MA": "MAD", "CI": "XOF", "SN": "XOF", "GA": "XAF",
    ]
    static let cefr: Set<String> = ["A1", "A2", "B1", "B2", "C1", "C2"]

    @Test("the same seed gives the same records; another seed, other records")
    func deterministic() {
        let again = DemoGenerator(seed: 1, today: Self.today)
        let other = DemoGenerator(seed: 2, today: Self.today)
        #expect((0..<50).map(generator.candidate) == (0..<50).map(again.candidate))
        #expect((0..<20).map(generator.offer) == (0..<20).map(again.offer))
        #expect((0..<50).map(generator.candidate) != (0..<50).map(other.candidate))
        #expect(generator.idempotencyKey(kind: .candidate, index: 7) == "demo-candidate-1-7")
    }

    @Test("offers use valid codes, the country's currency and ordered dates")
    func offers() throws {
        let offers = (0..<200).map(generator.offer)
        var withFees = 0
        for offer in offers {
            guard case .string(let occupation) = offer["occupation"], case .string(let country) = offer["country"],
                case .string(let currency) = offer["salary"]?["currency"]
            else {
                Issue.record("incomplete offer \(offer)")
                continue
            }
            #expect(CodeLists.isco.isUnitGroup(occupation))
            #expect(CodeLists.countries.contains(country))
            #expect(CodeLists.currencies.contains(currency))
            #expect(Self.currencyByCountry[country] == currency)
            let deadline = try date(offer["applicationDeadline"])
            let start = try date(offer["startDate"])
            #expect(deadline > Self.today)
            #expect(deadline <= start)
            if offer["contract"] == .string("permanent") {
                #expect(offer["endDate"] == nil)
            } else {
                #expect(try start <= date(offer["endDate"]))
            }
            #expect(["seasonal", "fixed-term", "permanent", "apprenticeship"].contains(string(offer["contract"])))
            #expect(["hour", "month", "year"].contains(string(offer["salary"]?["period"])))
            #expect(number(offer["salary"]?["amount"]) > 0)
            guard case .int(let positions) = offer["positions"] else { throw Fail.notInteger }
            #expect(positions >= 1)
            guard case .int(let education) = offer["requirements"]?["education"] else { throw Fail.notInteger }
            #expect(CodeLists.iscedLevels.contains(String(education)))
            try checkLanguages(offer["requirements"]?["languages"])
            if number(offer["conditions"]?["workerFees"]) > 0 { withFees += 1 }
            #expect(string(offer["employer"]?["name"]) != "")
            #expect(string(offer["employer"]?["registration"]) != "")
        }
        #expect(withFees > 0)
        #expect(withFees <= offers.count / 10)
        #expect(Set(offers.map { string($0["country"]) }).count >= 10)
    }

    @Test("3,000 candidates: valid codes, all 20 regions, about 15% abroad, adults")
    func candidates() throws {
        let candidates = (0..<3000).map(generator.candidate)
        var regions: Set<String> = []
        var abroad = 0
        var phones: Set<String> = []
        for candidate in candidates {
            let region = string(candidate["region"])
            #expect(CodeLists.maliRegions.contains(region))
            regions.insert(region)
            let residence = string(candidate["residence"])
            #expect(CodeLists.countries.contains(residence))
            let phone = string(candidate["contact"]?["phone"])
            #expect(E164.isValid(phone))
            phones.insert(phone)
            if residence == "ML" {
                #expect(phone.count == 12 && ["+2236", "+2237", "+2239"].contains(String(phone.prefix(5))))
            } else {
                abroad += 1
            }
            #expect(["F", "M", "X"].contains(string(candidate["gender"])))
            guard case .int(let birthYear) = candidate["birthYear"] else { throw Fail.notInteger }
            #expect((18...60).contains(Self.today.year - Int(birthYear)))
            guard case .array(let occupations) = candidate["occupations"], !occupations.isEmpty else {
                throw Fail.notInteger
            }
            for occupation in occupations { #expect(CodeLists.isco.isUnitGroup(string(occupation))) }
            guard case .int(let education) = candidate["education"] else { throw Fail.notInteger }
            #expect(CodeLists.iscedLevels.contains(String(education)))
            try checkLanguages(candidate["languages"])
            guard case .array(let destinations) = candidate["destinations"] else { throw Fail.notInteger }
            for destination in destinations { #expect(CodeLists.countries.contains(string(destination))) }
            #expect(try date(candidate["availableFrom"]) >= Self.today)
            #expect(["sms", "email", "none"].contains(string(candidate["contact"]?["preferredChannel"])))
            #expect(["fr", "en", "bm"].contains(string(candidate["contact"]?["language"])))
            if candidate["contact"]?["preferredChannel"] == .string("email") {
                #expect(candidate["contact"]?["email"] != nil)
            }
        }
        #expect(regions.count == 20)
        #expect(Set(CodeLists.maliRegions.entries.map(\.code)) == regions)
        #expect((360...540).contains(abroad), "abroad: \(abroad) of 3000")
        #expect(phones.count == candidates.count, "phone numbers are unique")
        let bamako = candidates.filter { $0["region"] == .string("ML-BKO") }.count
        let kidal = candidates.filter { $0["region"] == .string("ML-8") }.count
        #expect(bamako > 10 * kidal)
    }

    @Test("written as CSV, demo records import back to the same JSON")
    func csvRoundTrip() throws {
        for kind in RecordKind.allCases {
            let schema = try RowSchema(kind: kind, header: kind.columns.map(\.path))
            for index in 0..<100 {
                let record = generator.record(kind: kind, index: index)
                let cells = DemoCSVWriter.cells(of: record, kind: kind)
                #expect(try schema.body(of: cells).get() == record.removingEmptyArrays())
            }
        }
    }

    @Test("demo --write files are import files: read back row by row, they give the same records")
    func writtenFiles() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        for (kind, count) in [(RecordKind.offer, 20), (.candidate, 50)] {
            let path = directory.path + "/\(kind.rawValue)s.csv"
            try DemoCSVWriter.write(generator: generator, kind: kind, count: count, to: path)
            let source = try CSVRowSource(path: path, kind: kind)
            var index = 0
            while let row = try source.next() {
                #expect(row.line == index + 2)
                #expect(try row.content.get() == generator.record(kind: kind, index: index).removingEmptyArrays())
                index += 1
            }
            #expect(index == count)
        }
    }

    private enum Fail: Error { case notInteger, notDate }

    private func string(_ value: JSONValue?) -> String {
        if case .string(let text)? = value { text } else { "" }
    }

    private func number(_ value: JSONValue?) -> Double {
        switch value {
        case .int(let number)?: Double(number)
        case .double(let number)?: number
        default: -1
        }
    }

    private func date(_ value: JSONValue?) throws -> LocalDate {
        guard case .string(let text)? = value else { throw Fail.notDate }
        return try LocalDate(text)
    }

    private func checkLanguages(_ value: JSONValue?) throws {
        guard case .array(let languages)? = value else { throw Fail.notInteger }
        for language in languages {
            #expect(CodeLists.languages.contains(string(language["code"])))
            #expect(Self.cefr.contains(string(language["level"])))
        }
    }
}

extension JSONValue {
    /// The value with empty arrays left out: an empty CSV cell means an absent field.
    func removingEmptyArrays() -> JSONValue {
        switch self {
        case .object(let members):
            .object(
                members.compactMapValues { member in
                    if case .array(let items) = member, items.isEmpty { return nil }
                    return member.removingEmptyArrays()
                })
        default: self
        }
    }
}
