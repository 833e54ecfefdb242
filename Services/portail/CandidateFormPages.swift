import CodeLists
import Foundation
import Hummingbird
import Messages
import NIOHTTP1
import ServiceKit

/// `/candidats/nouveau`: the registration a field officer fills in with the candidate, consent
/// per purpose with the sentence read to them. Before registering, a likely duplicate (the same
/// phone, or the same name and birth year) is shown as a warning; the officer may go on
/// (families share phones).
struct CandidateFormPages {
    let pages: Pages
    let owners: OwnerClient

    /// What the officer reads to the candidate before ticking each purpose.
    static let consentSentences = [
        (
            "consent.matching",
            "Acceptez-vous que vos informations servent à vous proposer des offres d’emploi à l’étranger ?"
        ),
        ("consent.notifications", "Acceptez-vous d’être prévenu par SMS des offres qui vous correspondent ?"),
        ("consent.statistics", "Acceptez-vous d’être compté, sans votre nom, dans les statistiques du ministère ?"),
    ]

    func add(to router: Router<ServiceRequestContext>) {
        router.get("/candidats/nouveau") { _, _ -> Response in
            _ = try CandidatePages.officer()
            return try render(
                [
                    "contact.language": "fr", "contact.preferredChannel": "sms", "residence": "ML",
                    "_key": Accounts.token(),
                ], errors: [:], duplicates: [], status: .ok)
        }
        router.post("/candidats/nouveau") { request, _ -> Response in
            let session = try CandidatePages.officer()
            let values = try await FormBody.decode([String: String].self, from: request)
            guard CSRF.matches(values["_csrf"], session.csrf) else { throw CSRF.refused() }
            if values["doublon"] != "ignorer" {
                let duplicates = try await likelyDuplicates(values, as: session.username)
                if !duplicates.isEmpty { return try render(values, errors: [:], duplicates: duplicates, status: .ok) }
            }
            let body = try JSONSerialization.data(withJSONObject: Self.json(values))
            let key = values["_key"].flatMap { $0.isEmpty ? nil : $0 } ?? Accounts.token()
            let answer = try await owners.send(
                .POST, owners.candidates, "/candidates", body: body, as: session.username,
                headers: ["Idempotency-Key": key])
            if let error = answer.error {
                return try render(
                    values, errors: [error.field ?? "_form": error.message], duplicates: [],
                    status: .unprocessableContent)
            }
            struct Created: Decodable { var id: String }
            return Pages.redirect("/candidats/\(Pages.segment(try answer.decode(Created.self).id))?fait=cree")
        }
    }

    /// Candidates with the same phone, or the same name and birth year.
    private func likelyDuplicates(_ values: [String: String], as officer: String) async throws -> [[String: Any]] {
        var searches: [String] = []
        if let phone = values["contact.phone"], !phone.isEmpty { searches.append("phone=\(Pages.segment(phone))") }
        let name = "\(values["name.given"] ?? "") \(values["name.family"] ?? "")".trimmingCharacters(in: .whitespaces)
        if name.count >= 2, let year = values["birthYear"], !year.isEmpty {
            searches.append("name=\(Pages.segment(name))&birthYear=\(Pages.segment(year))")
        }
        var seen = Set<String>()
        var found: [[String: Any]] = []
        for search in searches {
            let answer = try await owners.get(owners.candidates, "/candidates?limit=10&\(search)", as: officer)
            guard answer.isSuccess, let list = try? answer.decode(CandidatePages.Found.self) else { continue }
            for candidate in list.candidates where seen.insert(candidate.id).inserted {
                found.append(CandidatePages.row(candidate))
            }
        }
        return found
    }

    /// The registry's JSON; numbers where a number was typed, the text otherwise (the registry names the field).
    static func json(_ values: [String: String]) -> [String: Any] {
        func text(_ name: String) -> String { (values[name] ?? "").trimmingCharacters(in: .whitespaces) }
        func number(_ name: String) -> Any { Int(text(name)) ?? text(name) }
        func list(_ name: String) -> [String] {
            text(name).split(whereSeparator: { ", ;".contains($0) }).map {
                String($0.prefix { $0 != "—" }).trimmingCharacters(in: .whitespaces)
            }
            .filter { !$0.isEmpty }
        }
        var contact: [String: Any] = [
            "preferredChannel": text("contact.preferredChannel"), "language": text("contact.language"),
        ]
        if !text("contact.phone").isEmpty { contact["phone"] = text("contact.phone") }
        if !text("contact.email").isEmpty { contact["email"] = text("contact.email") }
        var languages: [[String: String]] = []
        for index in 1...3 where !text("language\(index)").isEmpty {
            languages.append([
                "code": text("language\(index)"), "level": text("level\(index)").isEmpty ? "A1" : text("level\(index)"),
            ])
        }
        let occupations = (1...3).map { text("occupation\($0)") }.filter { !$0.isEmpty }.map {
            String($0.prefix { $0 != " " })
        }
        return [
            "name": ["given": text("name.given"), "family": text("name.family")], "gender": text("gender"),
            "birthYear": number("birthYear"), "region": text("region"), "residence": text("residence"),
            "contact": contact, "occupations": occupations, "experienceYears": number("experienceYears"),
            "education": number("education"), "languages": languages, "destinations": list("destinations"),
            "availableFrom": text("availableFrom"),
            "consent": [
                "matching": values["consent.matching"] == "oui",
                "notifications": values["consent.notifications"] == "oui",
                "statistics": values["consent.statistics"] == "oui",
            ],
        ]
    }

    private func render(
        _ values: [String: String], errors: [String: String], duplicates: [[String: Any]], status: HTTPResponse.Status
    ) throws -> Response {
        func value(_ name: String) -> String { values[name] ?? "" }
        func options(_ name: String, _ list: [(String, String)]) -> [[String: Any]] {
            list.map { ["code": $0.0, "name": $0.1, "selected": $0.0 == value(name)] }
        }
        let fieldNames = [
            "name.given", "name.family", "birthYear", "contact.phone", "contact.email", "destinations", "availableFrom",
            "experienceYears", "occupation1", "occupation2", "occupation3",
        ]
        var model: [String: Any] = Dictionary(
            uniqueKeysWithValues: fieldNames.map { ($0.replacingOccurrences(of: ".", with: "_"), value($0)) })
        model["errors"] = errors.map { ["field": $0.key, "message": $0.value] }
        model["hasErrors"] = !errors.isEmpty
        model["duplicates"] = duplicates
        model["hasDuplicates"] = !duplicates.isEmpty
        model["key"] = value("_key")
        model["genders"] = options(
            "gender", [("F", tr("Femme")), ("M", tr("Homme")), ("X", tr("Autre ou ne souhaite pas le dire"))])
        model["regions"] = options("region", CodeLists.maliRegions.entries.map { ($0.code, $0.name) })
        model["countries"] = options("residence", CodeLists.countries.entries.map { ($0.code, $0.name) })
        model["educations"] = options(
            "education", CodeLists.iscedLevels.entries.map { ($0.code, "\($0.code) — \($0.name)") })
        model["channels"] = options(
            "contact.preferredChannel", [("sms", "SMS"), ("email", tr("Courriel")), ("none", tr("Aucun"))])
        model["messageLanguages"] = options(
            "contact.language", [("fr", tr("Français")), ("en", tr("Anglais")), ("bm", "Bambara")])
        model["languageRows"] = (1...3).map { index in
            [
                "index": index,
                "languages": [["code": "", "name": "—", "selected": value("language\(index)").isEmpty]]
                    + options("language\(index)", CodeLists.languages.entries.map { ($0.code, $0.name) }),
                "levels": options("level\(index)", ["A1", "A2", "B1", "B2", "C1", "C2"].map { ($0, $0) }),
            ] as [String: Any]
        }
        model["consents"] = Self.consentSentences.map { name, sentence in
            [
                "name": name, "id": name.replacingOccurrences(of: ".", with: "-"), "sentence": sentence,
                "checked": values[name] == "oui",
            ]
        }
        model["occupations"] = OfferForm.occupations
        return try pages.render("candidat-form", title: "Inscrire un candidat", model, status: status)
    }
}
