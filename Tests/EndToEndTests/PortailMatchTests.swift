import Foundation
import Messages
import ServiceKit
import ServiceTesting
import Testing

@Suite("portail: an offer's ranked candidates, 50 a page, shortlisted and contacted from the page", .serialized)
struct PortailMatchTests {
    @Test(
        "51 candidates on two pages; shortlist and mark contacted from page 2; seen on the page, the filter, the profile and the CSV; no token or an agency: 403",
        .timeLimit(.minutes(3)))
    func shortlistAndContact() async throws {
        let system = try await RunningPortal.start(everything: true)
        try await RunningPortal.addUser("agence", role: "agency", data: system.portail.dataDirectory)
        let registry = try #require(system.candidates).base
        let matcher = try #require(system.matcher).base
        let created = try await request("POST", system.offers.base + "/offers", json: sampleOffer())
        let offerId = try #require(created.json?["id"]?.string)
        // Equal profiles: the matcher ranks them in the order they registered.
        var ids: [String] = []
        for number in 0..<51 {
            let candidate = try await request(
                "POST", registry + "/candidates",
                json: sampleCandidate([
                    "name.family": .string("Famille\(number)"),
                    "contact.phone": .string("+22376" + String(format: "%06d", number)),
                    "consent.notifications": false,
                ]))
            ids.append(try #require(candidate.json?["id"]?.string, "\(candidate.text)"))
        }
        let last = ids[50]
        try await waitUntil("51 matches", timeout: .seconds(60)) {
            try await request("GET", matcher + "/matches?offer=\(offerId)&limit=1").json?["total"] == .int(51)
        }
        let browser = PortalBrowser(base: system.portail.base)
        _ = try await system.signIn(browser)
        let list = "/offres/\(offerId)/candidats"
        func items(_ page: PortalBrowser.Page) -> Int { page.html.components(separatedBy: "<li id=\"c-").count - 1 }

        let first = try await browser.get(list)
        #expect(first.status == 200 && first.html.contains("51 candidat(s)") && first.html.contains("Page 1 / 2"))
        #expect(items(first) == 50 && first.html.contains("href=\"\(list)?page=2\" rel=\"next\""))
        #expect(first.html.contains("Présélectionner") && first.html.contains("Marquer contacté"))
        #expect(!first.html.contains("c-\(last)") && !first.html.contains(">nil<"))
        #expect(try await browser.get(list + "?page=9223372036854775807").status == 200, "a page far beyond the end")
        let second = try await browser.get(list + "?page=2")
        #expect(items(second) == 1 && second.html.contains("<li id=\"c-\(last)\" value=\"51\">"), "\(second.html)")
        #expect(second.html.contains("href=\"\(list)?page=1\" rel=\"prev\"") && !second.html.contains("rel=\"next\""))
        #expect(second.html.contains("Présélectionné : non · Contacté : non"))

        // « Présélectionner » on page 2: back to page 2.
        let token = try #require(second.hidden("_csrf"))
        let action = "\(list)/\(last)/suivi"
        func mark(
            _ shortlisted: String, _ contacted: String, version: String, page: String = "2", filter: String = ""
        )
            async throws -> PortalBrowser.Page
        {
            try await browser.post(
                action,
                [
                    ("_csrf", token), ("version", version), ("page", page), ("preselection", filter),
                    ("preselectionne", shortlisted), ("contacte", contacted),
                ])
        }
        #expect(second.hidden("version") == "0")
        let shortlisted = try await mark("oui", "non", version: "0")
        #expect(shortlisted.status == 303 && shortlisted.location == "\(list)?page=2#c-\(last)", "\(shortlisted.html)")
        let back = try await browser.get(list + "?page=2")
        #expect(back.html.contains("Présélectionné : oui · Contacté : non") && back.html.contains(">Retirer<"))

        // « Présélectionnés seulement »; « Marquer contacté » from there, back to the filter.
        let only = try await browser.get(list + "?preselection=oui")
        #expect(only.html.contains("1 candidat(s)") && items(only) == 1 && only.html.contains("value=\"51\""))
        #expect(only.html.contains("value=\"oui\" checked"))
        let contacted = try await mark(
            "oui", "oui", version: try #require(only.hidden("version")), page: "1", filter: "oui")
        #expect(contacted.status == 303 && contacted.location == "\(list)?page=1&preselection=oui#c-\(last)")
        let marked = try await browser.get(list + "?page=1&preselection=oui")
        #expect(marked.html.contains("Présélectionné : oui · Contacté : oui, le 20"), "\(marked.html)")
        #expect(marked.html.contains(">Annuler<"))
        // A form read before that change is stale: said so, nothing changed.
        let stale = try await mark("non", "non", version: "1")
        #expect(stale.status == 409 && stale.html.contains("Quelqu’un a modifié ce suivi"), "\(stale.status)")

        // The matcher holds the marks, and the officer Portail acts for when it presents its key.
        let held = try await request("GET", matcher + "/matches?candidate=\(last)")
        #expect(held.json?["matches"]?[0]?["shortlisted"] == true && held.json?["matches"]?[0]?["contacted"] == true)
        if TestSecurity.isOn { #expect(held.json?["matches"]?[0]?["contactedBy"]?.string == "awa", "\(held.text)") }

        // Her profile says so, and so does the CSV (every page, the list's columns).
        let profile = try await browser.get("/candidats/\(last)")
        #expect(profile.html.contains("présélectionné · contacté le 20"), "\(profile.html)")
        let csv = try await browser.get(list + ".csv")
        let lines = csv.html.dropFirst().split(whereSeparator: \.isNewline)
        #expect(lines.first == "Rang,Candidat,Score,Présélectionné,Contacté,Contacté le", "\(lines.prefix(2))")
        #expect(lines.count == 52 && lines[1].hasPrefix("1,\(ids[0]),") && lines[1].hasSuffix(",non,non,"))
        #expect(lines.last?.hasPrefix("51,\(last),") == true && lines.last?.contains(",oui,oui,20") == true)
        let csvOnly = try await browser.get(list + ".csv?preselection=oui")
        #expect(csvOnly.html.dropFirst().split(whereSeparator: \.isNewline).count == 2)

        // No token, a forged one, an agency: refused, and the marks are as they were.
        let noToken = try await browser.post(
            action, [("version", "2"), ("page", "1"), ("preselectionne", "non"), ("contacte", "non")])
        #expect(noToken.status == 403, "\(noToken.status)")
        let forged = try await browser.post(
            action, [("_csrf", "forged"), ("version", "2"), ("preselectionne", "non"), ("contacte", "non")])
        #expect(forged.status == 403)
        let agency = PortalBrowser(base: system.portail.base)
        _ = try await system.signIn(agency, as: "agence")
        let agencyToken = try #require(try await agency.get("/offres").hidden("_csrf"))
        let refused = try await agency.post(
            action, [("_csrf", agencyToken), ("version", "2"), ("preselectionne", "non"), ("contacte", "non")])
        #expect(refused.status == 403)
        #expect(try await agency.get(list).status == 403)
        #expect(try await agency.get(list + ".csv").status == 403)
        let unchanged = try await request("GET", matcher + "/matches?candidate=\(last)")
        #expect(unchanged.json?["matches"]?[0]?["version"] == .int(2), "\(unchanged.text)")

        // « Retirer » then « Annuler »: both undone.
        #expect(try await mark("non", "oui", version: "2").status == 303)
        #expect(try await mark("non", "non", version: "3").status == 303)
        let undone = try await browser.get(list + "?page=2")
        #expect(undone.html.contains("Présélectionné : non · Contacté : non"), "\(undone.html)")
        #expect(try await browser.get(list + "?preselection=oui").html.contains("Aucun candidat sur cette page"))
    }
}
