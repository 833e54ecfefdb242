import Foundation
import Messages
import NIOCore
import NIOFoundationEssentialsCompat

/// What the owners hold, read before timing: the sizes, the offer measured and its matches in
/// the page's order.
struct BenchSetting: Sendable {
    /// Every offer in the registry, and the open ones (the others are held for review).
    var offers: Int
    var open: Int
    /// The matcher's `/health` index check, e.g. « 90000 candidates, 950 open offers ».
    var index: String
    var offer: Offer
    /// The candidate ids of the offer's matches, in the matches page's order.
    var ranked: [String]
    /// Matches per open offer, when the offer was chosen by scanning them (none given).
    var matchCounts: [Int]
    /// The first offer of the list's first page, and the list's total: what `/offres` must show.
    var listed: OwnerBodies.Listing

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
            offer = try await decode(
                Offer.self, http, OwnerCall(base: owners.offers, path: "/offers/\(Pages.segment(chosen))"))
        } else {
            var best: (offer: Offer, matches: Int)?
            var offset = 0
            while true {
                let page = try await listing(http, "/offers?limit=500&offset=\(offset)&status=open")
                for each in page.offers {
                    let count = try await ranked(http, each.id).count
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
                "--offer \(offer.reference ?? offer.id) is \(offer.status.rawValue): the matcher keeps matches for open offers only"
            )
        }
        let ranked = try await ranked(http, offer.id)
        guard !ranked.isEmpty else {
            throw PortailBenchFailure("offer \(offer.reference ?? offer.id) has no matches: its page would show none")
        }
        return BenchSetting(
            offers: listed.total, open: open, index: index ?? "unknown (no index check in the matcher's /health)",
            offer: offer, ranked: ranked, matchCounts: counts, listed: listed)
    }

    /// The pages show what the owners hold: `/offres` its first offer and the total, the matches
    /// page one line per match with the candidate's name, not their id (the page falls back to
    /// ids when a batch of names fails). Returns their sizes in bytes. When a page changes what it
    /// shows (the matches page by pages of 50, say), change these checks with `ownerCalls`.
    func check(_ http: BenchHTTP, paths: [String]) async throws -> [Int] {
        let list = try await http.page(paths[0]).text
        if let first = listed.offers.first, !list.contains(">\(first.reference ?? first.id)</a>") {
            throw PortailBenchFailure(
                "GET \(paths[0]) does not show \(first.reference ?? first.id), the registry's first offer")
        }
        guard list.contains("\(listed.total) offre(s)") else {
            throw PortailBenchFailure("GET \(paths[0]) does not say « \(listed.total) offre(s) »")
        }
        let matches = try await http.page(paths[1]).text
        guard matches.contains("\(ranked.count) candidat(s)") else {
            throw PortailBenchFailure(
                "GET \(paths[1]) does not say « \(ranked.count) candidat(s) », the matcher's count")
        }
        if let unnamed = ranked.first(where: { matches.contains(">\($0)</a>") }) {
            throw PortailBenchFailure(
                "GET \(paths[1]) shows candidate \(unnamed) without a name: a batch of names failed")
        }
        return [list.utf8.count, matches.utf8.count]
    }

    private static func listing(_ http: BenchHTTP, _ path: String) async throws -> OwnerBodies.Listing {
        try await decode(OwnerBodies.Listing.self, http, OwnerCall(base: http.owners.offers, path: path))
    }

    /// The offer's matches' candidate ids, sorted as the matches page sorts them.
    private static func ranked(_ http: BenchHTTP, _ offer: String) async throws -> [String] {
        let call = OwnerCall(base: http.owners.matches, path: "/matches?offer=\(Pages.segment(offer))")
        return try await decode(OwnerBodies.Matches.self, http, call).matches.sorted { $0.score > $1.score }.map(
            \.candidateId)
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
