import Foundation
import Messages
import Testing

/// Records keep personal data where it belongs and carry their code lists as strings.
@Suite("Records")
struct RecordTests {
    private func candidate() throws -> Candidate {
        Candidate(
            profile: try GoldenExamples.aminataProfile(), name: PersonName(given: "Aminata", family: "Traoré"),
            contact: Contact(phone: "+22376123456", preferredChannel: .sms, language: .fr))
    }

    @Test("a candidate is one flat JSON object: profile fields, name and contact")
    func candidateIsFlat() throws {
        let candidate = try candidate()
        let json = try CanonicalJSON.decode(JSONValue.self, from: try CanonicalJSON.encode(candidate))
        #expect(json["name"]?["family"] == .string("Traoré"))
        #expect(json["contact"]?["phone"] == .string("+22376123456"))
        #expect(json["region"] == .string("ML-BKO"))
        #expect(json["profile"] == nil)
        #expect(try CanonicalJSON.decode(Candidate.self, from: try CanonicalJSON.encode(candidate)) == candidate)
    }

    @Test("the profile drops name and contact")
    func profileDropsPersonalFields() throws {
        let candidate = try candidate()
        let json = try CanonicalJSON.decode(JSONValue.self, from: try CanonicalJSON.encode(candidate.profile))
        #expect(json["name"] == nil)
        #expect(json["contact"] == nil)
        // A full record read as a profile loses the personal fields too.
        let asProfile = try CanonicalJSON.decode(CandidateProfile.self, from: try CanonicalJSON.encode(candidate))
        #expect(asProfile == candidate.profile)
        #expect(candidate.contactDetails.candidateId == candidate.profile.id)
    }

    @Test("profile fields read and write through the candidate")
    func dynamicMembers() throws {
        var candidate = try candidate()
        candidate.destinations = ["SA"]
        #expect(candidate.profile.destinations == ["SA"])
        #expect(candidate.region == "ML-BKO")
    }

    @Test("CEFR levels are ordered A1 < C2")
    func cefrOrdering() {
        #expect(CEFRLevel.allCases.sorted() == [.a1, .a2, .b1, .b2, .c1, .c2])
        #expect(CEFRLevel.b2 > .b1)
        #expect(CEFRLevel.c1.rawValue == "C1")
    }

    @Test("code-list enums use the wire spellings")
    func wireSpellings() throws {
        #expect(ContractType.fixedTerm.rawValue == "fixed-term")
        #expect(Gender.unspecified.rawValue == "X")
        #expect(try CanonicalJSON.encode([ContractType.fixedTerm]) == Array(#"["fixed-term"]"#.utf8))
        #expect(
            try CanonicalJSON.decode([PreferredChannel].self, from: Array(#"["none"]"#.utf8)) == [PreferredChannel.none]
        )
    }
}
