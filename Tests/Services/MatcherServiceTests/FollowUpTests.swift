import Foundation
import GRDB
import HTTPTypes
import Messages
import ServiceKit
import ServiceTesting
import Testing

@testable import matcher

/// The matcher as built by `MatcherCommand.build` (its router, its SQLite file), fed offer and
/// candidate events by a second `Matcher` on the same file, as its inbox would.
struct MatcherWithRoutes {
    let service: ServiceUnderTest
    let events: MatcherUnderTest

    init() async throws {
        service = try await ServiceUnderTest(MatcherCommand.self)
        events = try MatcherUnderTest(directory: service.dataDirectory)
    }

    /// One open offer (4 positions: 12 places) and `count` candidates, `c0` the best.
    func offer(_ id: String = "offer-1", candidates count: Int) async throws {
        try await events.apply(.offerPublished(.sample(id: id, positions: 4)))
        for number in 0..<count {
            try await events.apply(.candidateRegistered(.sample("c\(number)", experience: 8 - number)))
        }
    }
}

extension ServiceUnderTest.Answer {
    var page: MatchPage? { try? CanonicalJSON.decode(MatchPage.self, from: Array(text.utf8)) }
    var match: FollowedMatch? { try? CanonicalJSON.decode(FollowedMatch.self, from: Array(text.utf8)) }
    var errorField: String? { json?["error"]?["field"].flatMap { if case .string(let s) = $0 { s } else { nil } } }
    var errorCode: String? { json?["error"]?["code"].flatMap { if case .string(let s) = $0 { s } else { nil } } }
}

@Suite("matcher: officers' marks on matches (shortlisted, contacted) and paged listings")
struct FollowUpTests {
    static let path = "/matches/offer-1/c1/follow-up"

    @Test("shortlist, mark contacted, undo: each read back in both listings, with who and when")
    func setAndUndo() async throws {
        let under = try await MatcherWithRoutes()
        try await under.offer(candidates: 3)
        try await under.service.withClient { client in
            let before = try #require(try await client.send(.get, "/matches?offer=offer-1").page)
            #expect(before.matches.map(\.shortlisted) == [false, false, false])
            #expect(before.matches.map(\.version) == [0, 0, 0] && before.total == 3 && before.limit == nil)
            #expect(!(try await client.send(.get, "/matches?offer=offer-1").text.contains("\"limit\"")))

            // Without security the officer header is not believed: the caller is the anonymous one.
            let shortlisted = try await client.send(
                .put, Self.path, json: ["shortlisted": true, "contacted": false],
                headers: ["X-Passerelle-Officer": "mallory"])
            #expect(shortlisted.status == .ok, "\(shortlisted.text)")
            let first = try #require(shortlisted.match)
            #expect(first.shortlisted && !first.contacted && first.version == 1 && first.rank == 2)
            #expect(first.shortlistedBy == APICaller.anonymous.name && first.shortlistedAt != nil)
            #expect(first.contactedAt == nil && first.score > 0 && !first.breakdown.isEmpty)

            let contacted = try #require(
                try await client.send(.put, Self.path, json: ["shortlisted": true, "contacted": true, "version": 1])
                    .match)
            #expect(contacted.contacted && contacted.contactedAt != nil && contacted.version == 2)
            #expect(contacted.shortlistedAt == first.shortlistedAt, "the shortlist keeps its time")
            // The same marks again change nothing, not even the version.
            let again = try #require(
                try await client.send(.put, Self.path, json: ["shortlisted": true, "contacted": true]).match)
            #expect(again == contacted)
            let stale = try await client.send(
                .put, Self.path, json: ["shortlisted": false, "contacted": true, "version": 1])
            #expect(stale.status == .conflict && stale.errorField == "version", "\(stale.text)")

            let listed = try #require(try await client.send(.get, "/matches?offer=offer-1").page)
            #expect(listed.matches[1] == contacted)
            let byCandidate = try #require(try await client.send(.get, "/matches?candidate=c1").page)
            #expect(byCandidate.matches.first?.contacted == true && byCandidate.matches.first?.rank == nil)

            let undone = try #require(
                try await client.send(.put, Self.path, json: ["shortlisted": false, "contacted": false, "version": 2])
                    .match)
            #expect(!undone.shortlisted && !undone.contacted && undone.version == 3)
            #expect(undone.contactedAt == nil && undone.contactedBy == nil && undone.shortlistedBy == nil)
            let text = try await client.send(.get, "/matches?candidate=c1").text
            #expect(!text.contains("contactedAt") && text.contains("\"contacted\":false"), "\(text)")

            // Each write is audited under the match, with what changed.
            let audit = try await client.send(.get, "/audit?resource=/matches/offer-1/c1").text
            #expect(audit.contains("shortlisted: true") && audit.contains("contacted: false"), "\(audit)")
        }
    }

    @Test("an unknown match is 404; a bad body is refused naming the field, as the registries do")
    func refusals() async throws {
        let under = try await MatcherWithRoutes()
        try await under.offer(candidates: 2)
        try await under.service.withClient { client in
            let unknown = try await client.send(
                .put, "/matches/offer-1/nobody/follow-up", json: ["shortlisted": true, "contacted": false])
            #expect(unknown.status == .notFound && unknown.errorCode == "not-found", "\(unknown.text)")
            let noOffer = try await client.send(
                .put, "/matches/offer-9/c1/follow-up", json: ["shortlisted": true, "contacted": false])
            #expect(noOffer.status == .notFound)
            for (body, status, code, field) in [
                (#"{"shortlisted": true, "contacted": "oui"}"#, 422, "wrong-type", "contacted"),
                (#"{"shortlisted": true, "contacted": false, "shortlist": true}"#, 422, "unknown-field", "shortlist"),
                (#"{"shortlisted": true}"#, 422, "missing-field", "contacted"),
                (#"{"shortlisted": true, "contacted": false, "version": -1}"#, 422, "invalid-field", "version"),
                (#"{"shortlisted": true, "contacted": false, "version": 1.5}"#, 422, "invalid-field", "version"),
                (#"{"shortlisted": true, "contacted": false, "contacted": true}"#, 400, "duplicate-key", "contacted"),
                (#"{"shortlisted": tru"#, 400, "invalid-json", nil),
                ("", 400, "empty-body", nil),
                (#"[true, false]"#, 400, "invalid-json", nil),
            ] as [(String, Int, String, String?)] {
                let answer = try await client.send(.put, Self.path, text: body)
                #expect(answer.status.code == status && answer.errorCode == code, "\(body): \(answer.text)")
                #expect(answer.errorField == field, "\(body): \(answer.text)")
                let message = answer.json?["error"]?["message"]
                #expect(message.map { "\($0)".contains(" / ") } == true, "French / English: \(answer.text)")
            }
            let oversize =
                #"{"shortlisted": true, "contacted": false, "pad": ""#
                + String(repeating: "x", count: APIBody.limit) + #""}"#
            #expect(try await client.send(.put, Self.path, text: oversize).status == .contentTooLarge)
            // Nothing of that was written.
            #expect(try await client.send(.get, "/matches?candidate=c1").page?.matches.first?.version == 0)
            // An Idempotency-Key: the same request again answers the same; another body is refused.
            let keyed = ["Idempotency-Key": "mark-c1-1"]
            let once = try await client.send(
                .put, Self.path, json: ["shortlisted": true, "contacted": false, "version": 0], headers: keyed)
            let twice = try await client.send(
                .put, Self.path, json: ["shortlisted": true, "contacted": false, "version": 0], headers: keyed)
            #expect(once.status == .ok && twice.status == .ok && twice.match == once.match, "\(twice.text)")
            let reused = try await client.send(
                .put, Self.path, json: ["shortlisted": false, "contacted": false], headers: keyed)
            #expect(reused.status == .unprocessableContent && reused.errorField == "Idempotency-Key")
        }
    }

    @Test("GET /matches pages with limit and offset, says the total, ranks across pages and filters")
    func paging() async throws {
        let under = try await MatcherWithRoutes()
        try await under.offer(candidates: 5)
        try await under.service.withClient { client in
            let first = try #require(try await client.send(.get, "/matches?offer=offer-1&limit=2").page)
            #expect(first.matches.map(\.candidateId) == ["c0", "c1"] && first.total == 5 && first.limit == 2)
            let last = try #require(try await client.send(.get, "/matches?offer=offer-1&limit=2&offset=4").page)
            #expect(last.matches.map(\.candidateId) == ["c4"] && last.matches.map(\.rank) == [5] && last.offset == 4)
            let beyond = try #require(try await client.send(.get, "/matches?offer=offer-1&limit=2&offset=9").page)
            #expect(beyond.matches.isEmpty && beyond.total == 5)
            for (query, field) in [
                ("limit=0", "limit"), ("limit=1001", "limit"), ("offset=-1", "offset"), ("limit=abc", "limit"),
                ("shortlisted=yes", "shortlisted"), ("page=2", "page"),
            ] {
                let refused = try await client.send(.get, "/matches?offer=offer-1&\(query)")
                #expect(refused.status == .badRequest && refused.errorField == field, "\(query): \(refused.text)")
            }
            for id in ["c2", "c4"] {
                let marked = try await client.send(
                    .put, "/matches/offer-1/\(id)/follow-up", json: ["shortlisted": true, "contacted": false])
                #expect(marked.status == .ok)
            }
            let shortlisted = try #require(
                try await client.send(.get, "/matches?offer=offer-1&shortlisted=true&limit=1").page)
            #expect(shortlisted.total == 2 && shortlisted.matches.map(\.rank) == [3], "the rank among all matches")
            let second = try #require(
                try await client.send(.get, "/matches?offer=offer-1&shortlisted=true&limit=1&offset=1").page)
            #expect(second.matches.map(\.candidateId) == ["c4"] && second.matches.map(\.rank) == [5])
            let others = try #require(try await client.send(.get, "/matches?offer=offer-1&shortlisted=false").page)
            #expect(others.matches.map(\.candidateId) == ["c0", "c1", "c3"] && others.total == 3)
            let byCandidate = try #require(try await client.send(.get, "/matches?candidate=c2&shortlisted=true").page)
            #expect(byCandidate.total == 1)
        }
    }

    @Test("erasure takes the person's marks, keys and id in the audit trail; another person's marks stay")
    func erasure() async throws {
        let under = try await MatcherWithRoutes()
        try await under.offer(candidates: 2)
        try await under.events.apply(.candidateRegistered(.sample("KAY-ERASE-0042", experience: 8)))
        try await under.service.withClient { client in
            for (id, key) in [("KAY-ERASE-0042", "key-erase"), ("c1", "key-stays")] {
                let marked = try await client.send(
                    .put, "/matches/offer-1/\(id)/follow-up", json: ["shortlisted": true, "contacted": true],
                    headers: ["Idempotency-Key": key])
                #expect(marked.status == .ok, "\(marked.text)")
            }
        }
        try await under.events.apply(.candidateErased(CandidateErased(candidateId: "KAY-ERASE-0042")))
        let left = try under.service.read { db in
            (
                marks: try String.fetchAll(db, sql: "SELECT candidate_id FROM follow_ups"),
                keys: try String.fetchAll(db, sql: "SELECT key FROM idempotency"),
                audit: try String.fetchAll(db, sql: "SELECT path || ' ' || resource FROM audit_log")
            )
        }
        #expect(left.marks == ["c1"], "the erased person's marks are gone")
        #expect(left.keys == ["key-stays"])
        #expect(left.audit.count == 2 && left.audit.allSatisfy { !$0.contains("KAY-ERASE-0042") }, "\(left.audit)")
        #expect(left.audit.contains("/matches/offer-1/effacé-erased/follow-up /matches/offer-1/effacé-erased"))
        try await under.service.withClient { client in
            let page = try #require(try await client.send(.get, "/matches?offer=offer-1").page)
            #expect(page.matches.map(\.candidateId) == ["c0", "c1"] && page.matches[1].contacted)
            #expect(try await client.send(.get, "/matches?candidate=KAY-ERASE-0042").page?.total == 0)
        }
    }
}
