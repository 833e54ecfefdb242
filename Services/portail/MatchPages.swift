import Foundation
import Hummingbird
import Messages
import ServiceKit

/// `/offres/{id}/candidats`: the candidates the matcher ranked for an offer, each with the
/// breakdown of the score in French.
struct MatchPages {
    let pages: Pages
    let owners: OwnerClient

    struct MatchList: Decodable {
        var matches: [Match]
    }

    /// The rules' names as officers read them.
    static let rules = [
        "occupation": "Métier", "languages": "Langues", "education": "Études", "experience": "Expérience",
        "destination": "Destination", "availability": "Disponibilité", "skills": "Compétences",
        "drivingLicences": "Permis",
    ]

    /// « français / English » → the half the officer reads.
    static func french(_ text: String) -> String { OwnerClient.Answer.inLanguage(text) }

    func add(to router: Router<BasicRequestContext>) {
        router.get("/offres/:id/candidats.csv") { _, context -> Response in
            let session = try CandidatePages.officer()
            let id = context.parameters.get("id") ?? ""
            let answer = try await owners.get(
                owners.matches, "/matches?offer=\(Pages.segment(id))", as: session.username)
            if let error = answer.error { throw HTTPError(.badGateway, message: error.message) }
            let matches = try answer.decode(MatchList.self).matches.sorted { $0.score > $1.score }
            return try CSVDownload.response(
                [["Rang", "Candidat", "Score"]]
                    + matches.enumerated().map {
                        ["\($0.offset + 1)", $0.element.candidateId, "\(Int($0.element.score.rounded()))"]
                    },
                filename: "passerelle-candidats-\(id)")
        }
        router.get("/offres/:id/candidats") { _, context -> Response in
            let session = try CandidatePages.officer()
            let id = context.parameters.get("id") ?? ""
            let segment = Pages.segment(id)
            let offer = try await owners.get(owners.offers, "/offers/\(segment)", as: session.username)
            guard offer.isSuccess else {
                return try pages.render(
                    "erreur", title: "Offre", ["message": offer.error?.message ?? "Offre introuvable."],
                    status: .notFound)
            }
            let decoded = try offer.decode(Offer.self)
            let answer = try await owners.get(owners.matches, "/matches?offer=\(segment)", as: session.username)
            if let error = answer.error {
                return try pages.render("erreur", title: "Candidats", ["message": error.message], status: .badGateway)
            }
            let matches = try answer.decode(MatchList.self).matches.sorted { $0.score > $1.score }
            // Names by one search of the registry (up to 100 at a time), not one call per person.
            var names: [String: String] = [:]
            var start = 0
            while start < matches.count {
                let ids = matches[start..<min(start + 100, matches.count)].map(\.candidateId).joined(separator: ",")
                let found = try? await owners.get(
                    owners.candidates, "/candidates?limit=100&ids=\(Pages.segment(ids))", as: session.username
                ).decode(CandidatePages.Found.self)
                for candidate in found?.candidates ?? [] {
                    names[candidate.id] = "\(candidate.name.given) \(candidate.name.family)"
                }
                start += 100
            }
            let rows: [[String: Any]] = matches.enumerated().map { rank, match in
                [
                    "rank": rank + 1, "candidate": match.candidateId, "score": Int(match.score.rounded()),
                    "name": names[match.candidateId] ?? match.candidateId,
                    "breakdown": match.breakdown.map { part in
                        [
                            "rule": Self.rules[part.rule] ?? part.rule, "score": Int(part.score.rounded()),
                            "weight": Int(part.weight.rounded()), "reason": Self.french(part.reason),
                        ] as [String: Any]
                    },
                ]
            }
            return try pages.render(
                "offre-candidats", title: "Candidats pour \(decoded.reference ?? decoded.id)",
                ["offer": OfferPages.row(decoded), "matches": rows, "count": rows.count])
        }
    }
}
