import Foundation
import Messages
import NIOCore
import NIOFoundationEssentialsCompat

/// What the owners hold, read before timing: the sizes, the offer measured and the first page
/// of its matches.
struct BenchSetting: Sendable {
    /// Every offer in the registry, and the open ones (the others are held for review).
    var offers: Int
    var open: Int
    /// The matcher's `/health` index check, e.g. « 90000 candidates, 950 open offers ».
    var index: String
    var offer: Offer
    /// The offer's matches, all pages.
    var matches: Int
    /// The candidate ids of the matches page's first page, in its order.
    var ranked: [String]
    /// Matches per open offer, when the offer was chosen by scanning them (none given).
    var matchCounts: [Int]
    /// The registry's first page of offers: what `/offres` must show.
    var listed: OfferPages.Listing

    /// The matcher's answer to `GET /matches?offer=…&limit=…`.
    struct MatchPage: Decodable {
        var matches: [Match]
        var total: Int?
    }

    static func read(_ http: BenchHTTP, offer chosen: String?) async throws -> BenchSetting {
        let owners = http.owners
        let listed = try await listing(http, "/offers?limit=\(OfferPages.pageSize)&offset=0")
        let open = try await listing(http, "/offers?limit=1&offset=0&status=open").total
        let health = try await http.send(owners.matches + "/health", headers: [])
        let json = try? JSONSerialization.jsonObject(with: Data(buffer: health.body)) as? [String: Any]
        let index = ((json?["checks"] as? [String: Any])?["index"] as? [String: Any])?["detail"] as? String
        var counts: [Int] = []
        var offer: Offer
        if let chosen {
            let call = OwnerCall(base: owners.offers, path: "/offers/\(Pages.segment(chosen))")
            offer = try await decode(Offer.self, http, call)
        } else {
            var best: (offer: Offer, matches: Int)?
            var offset = 0
            while true {
                let page = try await listing(http, "/offers?limit=500&offset=\(offset)&status=open")
                for each in page.offers {
                    let count = try await matches(http, each.id, limit: 1).total ?? 0
                    counts.append(count)
                    if count > best?.matches ?? -1 { best = (each, count) }
                }
                offset += 500
                if offset >= page.total || page.offers.isEmpty { break }
            }
            guard let best else { throw PortailBenchFailure("no open offer in \(owners.offers): nothing to measure") }
            offer = best.offer
        }
        guard offer.status == .open else {
            throw PortailBenchFailure(
                "--offer \(offer.reference ?? offer.id) is \(offer.status.rawValue): the matcher keeps matches for open "
                    + "offers only")
        }
        let first = try await matches(http, offer.id, limit: MatchPages.pageSize)
        guard !first.matches.isEmpty else {
            throw PortailBenchFailure("offer \(offer.reference ?? offer.id) has no matches: its page would show none")
        }
        return BenchSetting(
            offers: listed.total, open: open, index: index ?? "unknown (no index check in the matcher's /health)",
            offer: offer, matches: first.total ?? first.matches.count, ranked: first.matches.map(\.candidateId),
            matchCounts: counts, listed: listed)
    }

    /// The pages show what the owners hold: `/offres` its first offer and the total, the matches
    /// page the total and one line per match of its first page, with the candidate's name, not
    /// their id (the page falls back to ids when the names' call fails). Returns their sizes in
    /// bytes. When a page changes what it shows, change these checks with `ownerCalls`.
    func check(_ http: BenchHTTP, paths: [String]) async throws -> [Int] {
        let list = try await http.page(paths[0]).text
        if let first = listed.offers.first, !list.contains(">\(first.reference ?? first.id)</a>") {
            throw PortailBenchFailure(
                "GET \(paths[0]) does not show \(first.reference ?? first.id), the registry's first offer")
        }
        guard list.contains("\(listed.total) offre(s)") else {
            throw PortailBenchFailure("GET \(paths[0]) does not say « \(listed.total) offre(s) »")
        }
        let page = try await http.page(paths[1]).text
        guard page.contains("\(matches) candidat(s)") else {
            throw PortailBenchFailure("GET \(paths[1]) does not say « \(matches) candidat(s) », the matcher's total")
        }
        let lines = page.components(separatedBy: "<li id=\"c-").count - 1
        guard lines == ranked.count else {
            throw PortailBenchFailure(
                "GET \(paths[1]) shows \(lines) candidates, not the \(ranked.count) of its first page")
        }
        if let unnamed = ranked.first(where: { page.contains(">\($0)</a>") }) {
            throw PortailBenchFailure(
                "GET \(paths[1]) shows candidate \(unnamed) without a name: the call for the names failed")
        }
        return [list.utf8.count, page.utf8.count]
    }

    private static func listing(_ http: BenchHTTP, _ path: String) async throws -> OfferPages.Listing {
        try await decode(OfferPages.Listing.self, http, OwnerCall(base: http.owners.offers, path: path))
    }

    /// The offer's first `limit` matches, in the matcher's order (the page's), and their total.
    private static func matches(_ http: BenchHTTP, _ offer: String, limit: Int) async throws -> MatchPage {
        let call = OwnerCall(
            base: http.owners.matches, path: "/matches?offer=\(Pages.segment(offer))&limit=\(limit)&offset=0")
        return try await decode(MatchPage.self, http, call)
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ http: BenchHTTP, _ call: OwnerCall) async throws -> T {
        let answer = try await http.owner(call)
        do {
            return try JSONDecoder().decode(type, from: Data(buffer: answer.body))
        } catch {
            throw PortailBenchFailure("GET \(call.base)\(call.path): unreadable answer (\(error))")
        }
    }
}
