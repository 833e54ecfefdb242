import Foundation
import Messages
import ServiceKit
import ServiceTesting
import Testing

@Suite("portail: sign-in, sessions, CSRF, lockout, escaping", .serialized, .timeLimit(.minutes(3)))
struct PortailTests {
    @Test("no session: every page sends to /connexion; signed in, the offers list comes from the registry")
    func signInAndList() async throws {
        let system = try await RunningPortal.start()
        let browser = PortalBrowser(base: system.portail.base)
        let signInPage = try await browser.get("/connexion")
        #expect(!signInPage.html.contains("nil") && !signInPage.html.contains("role=\"alert\""), "no empty alert")
        let offers = try await browser.get("/offres?pays=ES")
        #expect(offers.status == 303 && offers.location?.hasPrefix("/connexion?suite=") == true, "\(offers.headers)")
        let signedIn = try await system.signIn(browser)
        #expect(signedIn.status == 303 && signedIn.location == "/offres", "\(signedIn.status) \(signedIn.html)")
        let session = try #require(browser.cookie("passerelle_session"))
        #expect(!session.isEmpty)
        _ = try await request("POST", system.offers.base + "/offers", json: sampleOffer(["title": "Maçon coffreur"]))
        let list = try await browser.get("/offres")
        #expect(list.status == 200 && list.html.contains("Maçon coffreur"), "\(list.html.prefix(500))")
        #expect(try await browser.get("/offres?page=9223372036854775807").status == 200, "a huge page is an empty one")
        #expect(list.headers["content-security-policy"]?.contains("default-src 'self'") == true)
        #expect(list.headers["x-frame-options"] == "DENY")
        // The list as CSV: exactly its columns, UTF-8 with a byte-order mark.
        let csv = try await browser.get("/offres.csv?pays=&statut=&metier=")
        #expect(csv.status == 200 && csv.headers["content-type"] == "text/csv; charset=utf-8")
        #expect(csv.html.hasPrefix("\u{FEFF}"), "a byte-order mark")
        let lines = csv.html.dropFirst().split(whereSeparator: \.isNewline)
        #expect(lines.first == "Référence,Intitulé,Pays,Métier,Postes,Employeur,Statut,Signalements", "\(lines)")
        #expect(lines.count == 2 && lines[1].contains("Maçon coffreur,Espagne"), "\(lines)")
    }

    @Test("a form without this session's CSRF token is refused (403), and so is a stale one")
    func csrf() async throws {
        let system = try await RunningPortal.start()
        let browser = PortalBrowser(base: system.portail.base)
        _ = try await browser.get("/connexion")
        let missing = try await browser.post(
            "/connexion", [("identifiant", "awa"), ("mot_de_passe", RunningPortal.password)])
        #expect(missing.status == 403, "\(missing.status)")
        let forged = try await browser.post(
            "/connexion", [("_csrf", "forged"), ("identifiant", "awa"), ("mot_de_passe", RunningPortal.password)])
        #expect(forged.status == 403)
        // After signing in, only a page of this site: never another one.
        for elsewhere in ["//evil.example/x", "https://evil.example/", "/\\evil.example", "/%0d%0aSet-Cookie:x=1"] {
            let landed = try await system.signIn(PortalBrowser(base: system.portail.base), after: elsewhere)
            #expect(
                landed.location?.hasPrefix("/") == true && landed.location?.hasPrefix("//") == false,
                "\(elsewhere) → \(String(describing: landed.location))")
            #expect(landed.headers["set-cookie"]?.contains("x=1") != true)
        }
        #expect(try await system.signIn(browser).status == 303)
        // The language switch: a form like the others; owners' errors follow it.
        let page = try await browser.get("/offres")
        #expect(page.html.contains("<html lang=\"fr\">") && page.html.contains(">English</button>"))
        #expect(try await browser.post("/langue", [("_csrf", "x"), ("langue", "en")]).status == 403)
        let switched = try await browser.post(
            "/langue", [("_csrf", try #require(page.hidden("_csrf"))), ("langue", "en")])
        #expect(switched.status == 303)
        let english = try await browser.get("/offres?statut=nope")
        #expect(english.html.contains("<html lang=\"en\">") && english.html.contains(">Sign out</button>"))
        #expect(
            english.html.contains("pending, open or closed") && !english.html.contains("ou closed"),
            "the registry's error in English: \(english.html)")
        // The pages themselves: words, statuses and code lists in English; French nowhere.
        _ = try await request(
            "POST", system.offers.base + "/offers", json: sampleOffer(["conditions.workerFees": 100]))
        let offers = try await browser.get("/offres")
        for words in [
            "<h1>Offers</h1>", "Export the list (CSV)", "Waiting for review", "<td>Spain</td>", "Flagged only",
        ] {
            #expect(offers.html.contains(words), "« \(words) » in English: \(offers.html)")
        }
        #expect(!offers.html.contains("Exporter") && !offers.html.contains("Espagne"))
        let filtered = try await browser.get("/offres?pays=ES")
        #expect(filtered.html.contains("<option value=\"ES\" selected>Spain</option>"), "the filter keeps its country")
        let form = try await browser.get("/offres/nouvelle")
        #expect(form.html.contains("Job title") && form.html.contains("Save the offer"), "\(form.html.prefix(2_000))")
        #expect(try await browser.get("/import").html.contains("What does the file hold?"))
        let signOut = try await browser.post("/deconnexion", [("_csrf", "not-the-token")])
        #expect(signOut.status == 403)
        #expect(try await browser.get("/offres").status == 200, "still signed in")
    }

    @Test("five wrong passwords lock the account, even against the right one; a stranger learns nothing more")
    func lockout() async throws {
        let system = try await RunningPortal.start()
        let browser = PortalBrowser(base: system.portail.base)
        for attempt in 1...5 {
            let page = try await system.signIn(browser, password: "wrong password \(attempt)")
            #expect(page.status == (attempt < 5 ? 401 : 403), "attempt \(attempt): \(page.status)")
        }
        let right = try await system.signIn(browser)
        #expect(right.status == 403 && right.html.contains("verrouillé"), "\(right.status)")
        #expect(browser.cookie("passerelle_session") == nil)
        let stranger = try await system.signIn(browser, as: "nobody")
        #expect(stranger.status == 401 && stranger.html.contains("Identifiant ou mot de passe incorrect"))
    }

    @Test(
        "one address that fails on many accounts is held back before any password is checked; a forged X-Forwarded-For does not help"
    )
    func addressThrottle() async throws {
        let system = try await RunningPortal.start(environment: ["PASSERELLE_PORTAIL_ADDRESS_FAILURES": "3"])
        let browser = PortalBrowser(base: system.portail.base)
        for name in ["amadou", "binta", "cheick"] {
            #expect(try await system.signIn(browser, as: name, password: "guess").status == 401, "\(name)")
        }
        let held = try await system.signIn(browser)
        #expect(held.status == 429 && held.html.contains("Trop d’essais depuis cet appareil"), "\(held.status)")
        #expect(Int(held.headers["retry-after"] ?? "") ?? 0 > 0, "\(held.headers)")
        #expect(browser.cookie("passerelle_session") == nil)
        // Not behind a proxy: the header is the client's word, not an address.
        let form = try await browser.get("/connexion")
        let forged = try await browser.post(
            "/connexion",
            [
                ("_csrf", try #require(form.hidden("_csrf"))), ("identifiant", "awa"),
                ("mot_de_passe", RunningPortal.password),
            ],
            headers: ["X-Forwarded-For": "203.0.113.9"])
        #expect(forged.status == 429)
    }

    @Test("an offer title with a script shows as text; sessions survive a restart")
    func escapingAndRestart() async throws {
        let system = try await RunningPortal.start()
        let browser = PortalBrowser(base: system.portail.base)
        #expect(try await system.signIn(browser).status == 303)
        let hostile = "<script>alert('x')</script>"
        let created = try await request(
            "POST", system.offers.base + "/offers", json: sampleOffer(["title": .string(hostile)]))
        #expect(created.status == 201, "\(created.text)")
        let list = try await browser.get("/offres")
        #expect(!list.html.contains(hostile))
        #expect(
            list.html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;")
                || list.html.contains("&lt;script&gt;"))
        system.portail.process.signal(SIGTERM)
        #expect(try await system.portail.process.waitForExit(timeout: .seconds(20)) == .exited(0))
        let again = try await RunningService.start(
            "portail", broker: system.broker, dataDirectory: system.portail.dataDirectory,
            environment: [
                "PASSERELLE_OFFER_REGISTRY_URL": system.offers.base,
                "PASSERELLE_PORTAIL_API_KEY": TestSecurity.isOn ? TestSecurity.keys.api[.portal]! : "",
            ])
        let after = PortalBrowser(base: again.base)
        let session = try #require(browser.cookie("passerelle_session"))
        after.setCookie("passerelle_session", session)
        #expect(try await after.get("/offres").status == 200, "the session is in Portail's SQLite")
    }

    @Test(
        "an offer charging worker fees is held with its flag explained; only a supervisor approves, and history names them"
    )
    func review() async throws {
        let system = try await RunningPortal.start()
        try await RunningPortal.addUser("chef", role: "supervisor", data: system.portail.dataDirectory)
        try await RunningPortal.addUser("agence", role: "agency", data: system.portail.dataDirectory)
        let created = try await request(
            "POST", system.offers.base + "/offers", json: sampleOffer(["conditions.workerFees": 300]))
        let id = try #require(created.json?["id"]?.string)
        #expect(created.json?["status"] == "pending")
        let officer = PortalBrowser(base: system.portail.base)
        _ = try await system.signIn(officer)
        _ = try await request(
            "POST", system.offers.base + "/offers", json: sampleOffer(["employer.registration": "B77"]))
        let flaggedOnly = try await officer.get("/offres?signalees=oui")
        #expect(
            flaggedOnly.html.contains("1 offre(s)") && flaggedOnly.html.contains("worker-fees"), "\(flaggedOnly.html)")
        let page = try await officer.get("/offres/\(id)")
        #expect(page.status == 200 && page.html.contains("Des frais sont demandés au travailleur"), "\(page.html)")
        #expect(!page.html.contains("Approuver"), "an officer gets no approve button")
        let token = try #require(page.hidden("_csrf"))
        let refused = try await officer.post("/offres/\(id)/approuver", [("_csrf", token)])
        #expect(refused.status == 403)
        let agency = PortalBrowser(base: system.portail.base)
        _ = try await system.signIn(agency, as: "agence")
        let agencyToken = try #require(try await agency.get("/offres").hidden("_csrf"))
        #expect(try await agency.post("/offres/\(id)/approuver", [("_csrf", agencyToken)]).status == 403)
        let supervisor = PortalBrowser(base: system.portail.base)
        _ = try await system.signIn(supervisor, as: "chef")
        let review = try await supervisor.get("/offres/\(id)")
        #expect(review.html.contains("Approuver"))
        let approved = try await supervisor.post(
            "/offres/\(id)/approuver", [("_csrf", try #require(review.hidden("_csrf")))])
        #expect(approved.status == 303, "\(approved.status) \(approved.html)")
        let after = try await supervisor.get(try #require(approved.location))
        #expect(after.html.contains("Offre approuvée") && after.html.contains("Ouverte"), "\(after.html)")
        #expect(after.html.contains("Approbation"))
        if TestSecurity.isOn {
            #expect(after.html.contains("<td>chef</td>"), "the registry's audit names the supervisor")
        }
        let registry = try await request("GET", system.offers.base + "/offers/\(id)")
        #expect(registry.json?["status"] == "open")
        // Another one, rejected with the supervisor's reason, which the registry's audit keeps.
        let second = try await request(
            "POST", system.offers.base + "/offers",
            json: sampleOffer(["conditions.workerFees": 150, "employer.registration": "B99"]))
        let secondId = try #require(second.json?["id"]?.string)
        let held = try await supervisor.get("/offres/\(secondId)")
        let tooLong = try await supervisor.post(
            "/offres/\(secondId)/rejeter",
            [("_csrf", try #require(held.hidden("_csrf"))), ("motif", String(repeating: "x", count: 301))])
        #expect(tooLong.status == 200 && tooLong.html.contains("Indiquez un motif"), "\(tooLong.status)")
        let rejected = try await supervisor.post(
            "/offres/\(secondId)/rejeter",
            [("_csrf", try #require(held.hidden("_csrf"))), ("motif", "Frais de recrutement exigés du travailleur")])
        #expect(rejected.status == 303, "\(rejected.status) \(rejected.html)")
        let closed = try await request("GET", system.offers.base + "/offers/\(secondId)")
        #expect(closed.json?["status"] == "closed" && closed.json?["closedReason"] == "rejected", "\(closed.text)")
        let history = try await supervisor.get(try #require(rejected.location))
        #expect(history.html.contains("note: Frais de recrutement exigés du travailleur"), "\(history.html)")
    }

    @Test(
        "the offer form: the registry's refusal next to the field; worker fees held for review; a double submit creates one"
    )
    func offerForm() async throws {
        let system = try await RunningPortal.start()
        let browser = PortalBrowser(base: system.portail.base)
        _ = try await system.signIn(browser)
        let blank = try await browser.get("/offres/nouvelle")
        #expect(blank.status == 200 && blank.html.contains("<datalist id=\"citp\">"), "\(blank.status)")
        #expect(blank.html.contains("9211 — "), "the ISCO-08 picker lists unit groups in French")
        #expect(!blank.html.contains(">nil<") && !blank.html.contains("role=\"alert\""), "no empty alert")
        let token = try #require(blank.hidden("_csrf"))
        let key = try #require(blank.hidden("_key"))
        var fields: [(String, String)] = [
            ("_csrf", token), ("_key", key), ("title", "Cueilleur <b>fraises</b>"), ("occupation", "9211 — Manœuvres"),
            ("country", "ES"), ("city", "Huelva"), ("employer.name", "Fresas del Sur SL"),
            ("employer.registration", "B21000001"), ("positions", "beaucoup"), ("contract", "seasonal"),
            ("startDate", "2027-03-01"), ("salary.amount", "1260"), ("salary.currency", "EUR"),
            ("salary.period", "month"), ("conditions.workerFees", "300"), ("conditions.housing", "oui"),
        ]
        let refused = try await browser.post("/offres/nouvelle", fields)
        #expect(refused.status == 422, "\(refused.status)")
        #expect(refused.html.contains("id=\"f-positions-erreur\""), "the error is next to positions: \(refused.html)")
        #expect(refused.html.contains("value=\"beaucoup\""), "what was typed stays")
        fields[8] = ("positions", "12")
        let created = try await browser.post("/offres/nouvelle", fields)
        #expect(created.status == 303, "\(created.status) \(created.html)")
        let again = try await browser.post("/offres/nouvelle", fields)
        #expect(again.location == created.location, "the same form twice is the same offer")
        let page = try await browser.get(try #require(created.location))
        #expect(page.html.contains("Offre enregistrée") && page.html.contains("En attente de revue"), "\(page.html)")
        #expect(page.html.contains("Des frais sont demandés au travailleur"))
        #expect(page.html.contains("Cueilleur &lt;b&gt;fraises&lt;/b&gt;"))
        let listing = try await request("GET", system.offers.base + "/offers?limit=10")
        #expect(listing.json?["total"] == .int(1))
        let forged = try await browser.post("/offres/nouvelle", [("_csrf", "x")] + fields.dropFirst())
        #expect(forged.status == 403)
        // Editing sends the version read; an edit made meanwhile makes this one stale.
        let offerPath = try #require(created.location?.split(separator: "?").first.map(String.init))
        let editing = try await browser.get(offerPath + "/modifier")
        #expect(editing.status == 200 && editing.html.contains("value=\"Cueilleur &lt;b&gt;fraises&lt;/b&gt;\""))
        let version = try #require(editing.hidden("version"))
        let id = String(offerPath.split(separator: "/").last!)
        var changed = try #require(try await request("GET", system.offers.base + "/offers/\(id)").json)
        changed = changed.setting(["city"], "Lepe")
        let meanwhile = try await request("PUT", system.offers.base + "/offers/\(id)", json: changed)
        #expect(meanwhile.status == 200, "\(meanwhile.text)")
        var edit = fields.filter { $0.0 != "_key" }
        edit.append(("version", version))
        edit = edit.map { $0.0 == "city" ? ("city", "Moguer") : $0 }
        let stale = try await browser.post(offerPath + "/modifier", edit)
        #expect(stale.status == 409 && stale.html.contains("Quelqu’un a modifié l’offre"), "\(stale.status)")
        let fresh = try #require(try await browser.get(offerPath + "/modifier").hidden("version"))
        edit = edit.map { $0.0 == "version" ? ("version", fresh) : $0 }
        let saved = try await browser.post(offerPath + "/modifier", edit)
        #expect(saved.status == 303, "\(saved.status) \(saved.html)")
        #expect(try await request("GET", system.offers.base + "/offers/\(id)").json?["city"] == "Moguer")
    }

    @Test(
        "candidates: registered with consent, matched with the French breakdown, erased only when confirmed twice; never for an agency"
    )
    func candidates() async throws {
        let system = try await RunningPortal.start(everything: true)
        try await RunningPortal.addUser("agence", role: "agency", data: system.portail.dataDirectory)
        let offer = try await request("POST", system.offers.base + "/offers", json: sampleOffer())
        let offerId = try #require(offer.json?["id"]?.string)
        let browser = PortalBrowser(base: system.portail.base)
        _ = try await system.signIn(browser)
        let form = try await browser.get("/candidats/nouveau")
        #expect(form.status == 200 && form.html.contains("Acceptez-vous"), "\(form.status)")
        let fields: [(String, String)] = [
            ("_csrf", try #require(form.hidden("_csrf"))), ("_key", try #require(form.hidden("_key"))),
            ("name.given", "Fatoumata"), ("name.family", "Diarra"), ("gender", "F"), ("birthYear", "1996"),
            ("region", "ML-3"), ("residence", "ML"), ("contact.phone", "+22376123456"),
            ("contact.preferredChannel", "sms"),
            ("contact.language", "fr"), ("occupation1", "9211 — Manœuvres"), ("experienceYears", "3"),
            ("education", "2"),
            ("language1", "es"), ("level1", "A2"), ("destinations", "ES"), ("availableFrom", "2027-01-01"),
            ("consent.matching", "oui"), ("consent.notifications", "oui"), ("consent.statistics", "oui"),
        ]
        let created = try await browser.post("/candidats/nouveau", fields)
        #expect(created.status == 303, "\(created.status) \(created.html)")
        let profileURL = try #require(created.location)
        let id = String(try #require(profileURL.split(separator: "/").last?.split(separator: "?").first))
        let profile = try await browser.get(profileURL)
        #expect(profile.html.contains("Fatoumata Diarra") && profile.html.contains("Candidat enregistré"))
        // The matcher pairs them; the offer's page ranks her with the breakdown in French.
        let ranked = try await waitUntil("the match in Portail", timeout: .seconds(30)) { () -> PortalBrowser.Page? in
            let page = try await browser.get("/offres/\(offerId)/candidats")
            return page.html.contains(id) ? page : nil
        }
        #expect(ranked.html.contains("Métier") && ranked.html.contains("Langues"), "\(ranked.html)")
        #expect(!ranked.html.contains(" / no "), "the French half of each reason")
        // The notifier told her by SMS: her profile shows it.
        let told = try await waitUntil("the SMS on her profile", timeout: .seconds(30)) { () -> PortalBrowser.Page? in
            let page = try await browser.get("/candidats/\(id)")
            return page.html.contains("envoyé") ? page : nil
        }
        #expect(told.html.contains("Messages (SMS)"))
        // An agency sees neither the candidates nor the ranking.
        let agency = PortalBrowser(base: system.portail.base)
        _ = try await system.signIn(agency, as: "agence")
        #expect(try await agency.get("/candidats").status == 403)
        #expect(try await agency.get("/candidats/\(id)").status == 403)
        #expect(try await agency.get("/offres/\(offerId)/candidats").status == 403)
        // Erasure: ticking alone, the family name alone, or another name, is not enough.
        let confirm = try await browser.get("/candidats/\(id)/effacer")
        let token = try #require(confirm.hidden("_csrf"))
        #expect(
            try await browser.post("/candidats/\(id)/effacer", [("_csrf", token), ("demande", "oui")]).status == 422)
        #expect(
            try await browser.post("/candidats/\(id)/effacer", [("_csrf", token), ("confirmation", "Diarra")]).status
                == 422)
        #expect(
            try await browser.post(
                "/candidats/\(id)/effacer", [("_csrf", token), ("demande", "oui"), ("confirmation", "Traoré")]
            ).status == 422)
        let erased = try await browser.post(
            "/candidats/\(id)/effacer", [("_csrf", token), ("demande", "oui"), ("confirmation", " diarra ")])
        #expect(erased.status == 303)
        #expect(try await request("GET", try #require(system.candidates).base + "/candidates/\(id)").status == 404)
    }

    @Test(
        "search by a phone typed the local way, by name without accents, by several references; a likely duplicate is a warning, not a block"
    )
    func searchAndDuplicates() async throws {
        let system = try await RunningPortal.start(everything: true)
        let registry = try #require(system.candidates).base
        let first = try await request(
            "POST", registry + "/candidates",
            json: sampleCandidate(["name.given": "Fatoumata", "name.family": "Diarra", "contact.phone": "+22376123456"])
        )
        let firstId = try #require(first.json?["id"]?.string)
        let browser = PortalBrowser(base: system.portail.base)
        _ = try await system.signIn(browser)
        let byPhone = try await browser.get("/candidats?telephone=76%2012%2034%2056")
        #expect(byPhone.html.contains("Fatoumata Diarra") && byPhone.html.contains("1 candidat(s)"), "\(byPhone.html)")
        let byName = try await browser.get("/candidats?nom=fatoumata%20diarra")
        #expect(byName.html.contains(firstId))
        let byReferences = try await browser.get("/candidats?references=\(firstId)%0Aunknown-id")
        #expect(byReferences.html.contains("1 candidat(s)"))
        // Her sister registers with the family's phone: warned, then registered anyway.
        let form = try await browser.get("/candidats/nouveau")
        var fields: [(String, String)] = [
            ("_csrf", try #require(form.hidden("_csrf"))), ("_key", try #require(form.hidden("_key"))),
            ("name.given", "Mariam"), ("name.family", "Diarra"), ("gender", "F"), ("birthYear", "2000"),
            ("region", "ML-3"), ("residence", "ML"), ("contact.phone", "00223 76 12 34 56"),
            ("contact.preferredChannel", "sms"), ("contact.language", "fr"), ("occupation1", "9211"),
            ("experienceYears", "1"), ("education", "2"), ("availableFrom", "2027-01-01"), ("consent.matching", "oui"),
        ]
        let warned = try await browser.post("/candidats/nouveau", fields)
        #expect(warned.status == 200 && warned.html.contains("Doublon possible") && warned.html.contains(firstId))
        #expect(warned.html.contains("value=\"Mariam\""), "what was typed stays")
        fields.append(("doublon", "ignorer"))
        let created = try await browser.post("/candidats/nouveau", fields)
        #expect(created.status == 303, "\(created.status) \(created.html)")
        let family = try await request("GET", registry + "/candidates?phone=%2B22376123456")
        #expect(family.json?["total"] == .int(2))
    }
}
