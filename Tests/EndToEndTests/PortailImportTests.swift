import Foundation
import Messages
import ServiceKit
import ServiceTesting
import Testing

/// Portail's bulk import: the shared importer run for a signed-in officer against the real
/// registries, followed on a page, with a rejects file to download.
@Suite("portail: bulk import of offers and candidates", .serialized, .timeLimit(.minutes(3)))
struct PortailImportTests {
    static let candidateHeader =
        "name.given,name.family,gender,birthYear,region,residence,contact.phone,contact.preferredChannel,"
        + "contact.language,occupations,experienceYears,education,languages,destinations,availableFrom,"
        + "consent.matching,consent.notifications,consent.statistics"

    /// `count` candidates; rows `badGender` and `badYear` (0-based) are wrong in one cell each.
    static func candidatesCSV(count: Int, badGender: Int, badYear: Int) -> [UInt8] {
        var lines = [candidateHeader]
        for row in 0..<count {
            let gender = row == badGender ? "Z" : (row % 2 == 0 ? "F" : "M")
            let year = row == badYear ? "19x5" : "\(1985 + row % 15)"
            lines.append(
                "Import\(row),Traoré,\(gender),\(year),ML-3,ML,+2237650\(String(format: "%04d", row)),sms,fr,"
                    + "9211;6111,3,2,fr:B1;bm:C2,ES;FR,2027-01-01,oui,oui,non")
        }
        return Array((lines.joined(separator: "\n") + "\n").utf8)
    }

    /// Waits for the import page to say it finished; returns that page.
    static func finished(_ browser: PortalBrowser, _ page: String) async throws -> PortalBrowser.Page {
        try await waitUntil("the import finished", timeout: .seconds(60)) { () -> PortalBrowser.Page? in
            let shown = try await browser.get(page)
            return shown.html.contains("Import terminé") || shown.html.contains("class=\"error\"") ? shown : nil
        }
    }

    /// The number shown in `<dd id="…">`.
    static func figure(_ id: String, in page: PortalBrowser.Page) -> Int? {
        guard let range = page.html.range(of: "<dd id=\"\(id)\">") else { return nil }
        return Int(page.html[range.upperBound...].prefix { $0.isNumber })
    }

    @Test(
        "candidates: imported for the officer, progress shown, rejects downloadable with field and reason; again: nothing new"
    )
    func candidates() async throws {
        let system = try await RunningPortal.start(everything: true)
        let browser = PortalBrowser(base: system.portail.base)
        _ = try await system.signIn(browser)
        let form = try await browser.get("/import")
        #expect(form.status == 200 && form.html.contains("enctype=\"multipart/form-data\""), "\(form.html.prefix(300))")
        let token = try #require(form.hidden("_csrf"))
        let file = Self.candidatesCSV(count: 30, badGender: 4, badYear: 11)
        let started = try await browser.upload(
            "/import", [("_csrf", token), ("genre", "candidate")], file: ("fichier", "inscrits mars.csv", file))
        #expect(started.status == 303, "\(started.status) \(started.html)")
        let page = try #require(started.location)
        #expect(page.hasPrefix("/import/"))
        let done = try await Self.finished(browser, page)
        #expect(done.html.contains("Import terminé"), "\(done.html)")
        #expect(!done.html.contains("http-equiv=\"refresh\""), "a finished import no longer reloads")
        #expect(Self.figure("n-created", in: done) == 28 && Self.figure("n-rejected", in: done) == 2, "\(done.html)")
        // The registry holds the 28, registered by the officer's hand.
        let registry = try #require(system.candidates).base
        let listed = try await request("GET", registry + "/candidates?limit=100&name=Traore")
        #expect(listed.json?["total"] == 28, "\(String(decoding: listed.body, as: UTF8.self).prefix(300))")
        // The rejects file: why, then the row, ready to correct; UTF-8 with a byte-order mark.
        let rejects = try await browser.get(page + "/rejets.csv")
        #expect(rejects.status == 200 && rejects.headers["content-type"] == "text/csv; charset=utf-8")
        #expect(rejects.headers["content-disposition"]?.contains("rejets.csv") == true)
        #expect(rejects.html.hasPrefix("\u{FEFF}line,field,code,message,name.given"), "\(rejects.html.prefix(200))")
        let rows = rejects.html.split(whereSeparator: \.isNewline).dropFirst()
        #expect(rows.count == 2, "\(rows)")
        #expect(rows.contains { $0.hasPrefix("6,gender,") && $0.contains("Import4") }, "\(rows)")
        #expect(rows.contains { $0.hasPrefix("13,birthYear,") && $0.contains("Import11") }, "\(rows)")
        // The same file again creates nothing twice.
        let again = try await browser.upload(
            "/import", [("_csrf", token), ("genre", "candidate")], file: ("fichier", "inscrits mars.csv", file))
        let second = try await Self.finished(browser, try #require(again.location))
        #expect(Self.figure("n-created", in: second) == 0 && Self.figure("n-present", in: second) == 28)
        #expect(Self.figure("n-rejected", in: second) == 2)
        #expect(try await request("GET", registry + "/candidates?limit=100&name=Traore").json?["total"] == 28)
        // The list of imports names both; another officer sees neither, nor their rejects.
        let list = try await browser.get("/import")
        #expect(list.html.components(separatedBy: "inscrits mars.csv").count == 3, "two imports listed")
        try await RunningPortal.addUser("binta", role: "officer", data: system.portail.dataDirectory)
        let other = PortalBrowser(base: system.portail.base)
        _ = try await system.signIn(other, as: "binta")
        #expect(try await other.get(page).status == 404)
        #expect(try await other.get(page + "/rejets.csv").status == 404)
        #expect(try await other.get("/import").html.contains("inscrits mars.csv") == false)
        // Deleting an import deletes its rejects file.
        let deleted = try await browser.post(page + "/supprimer", [("_csrf", token)])
        #expect(deleted.status == 303)
        #expect(try await browser.get(page + "/rejets.csv").status == 404)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: system.portail.dataDirectory + "/imports")
        #expect(leftovers.allSatisfy { !$0.hasPrefix(String(page.dropFirst("/import/".count))) }, "\(leftovers)")
        #expect(!leftovers.contains { $0.hasSuffix(".upload") }, "uploaded files are gone once imported: \(leftovers)")
    }

    @Test(
        "an agency imports offers from a French spreadsheet (semicolons, Windows-1252), never candidates; bad uploads are refused and say why"
    )
    func offersAndBadUploads() async throws {
        let system = try await RunningPortal.start(environment: ["PASSERELLE_PORTAIL_IMPORT_MAX_MB": "1"])
        try await RunningPortal.addUser("agence", role: "agency", data: system.portail.dataDirectory)
        let agency = PortalBrowser(base: system.portail.base)
        _ = try await system.signIn(agency, as: "agence")
        let form = try await agency.get("/import")
        #expect(!form.html.contains("value=\"candidate\""), "an agency is not offered candidates")
        let token = try #require(form.hidden("_csrf"))
        let spreadsheet =
            "title;occupation;country;city;employer.name;employer.registration;positions;contract;startDate;endDate;"
            + "applicationDeadline;salary.amount;salary.currency;salary.period;requirements.languages;"
            + "conditions.housing;conditions.travelPaid;conditions.workerFees\r\n"
            + "Maçon coffreur;7114;ES;Huelva;Construcciones Sur SL;B21000002;5;fixed-term;2027-03-01;2027-12-31;"
            + "2027-01-15;1500;EUR;month;es:A1;oui;oui;0\r\n"
        let bytes = try #require(spreadsheet.data(using: .windowsCP1252))
        #expect(!bytes.isEmpty && String(data: bytes, encoding: .utf8) == nil, "not UTF-8, as Excel saves it")
        let started = try await agency.upload(
            "/import", [("_csrf", token), ("genre", "offer")], file: ("fichier", "C:\\Offres\\mars.csv", Array(bytes)))
        #expect(started.status == 303, "\(started.status) \(started.html)")
        let done = try await Self.finished(agency, try #require(started.location))
        #expect(Self.figure("n-created", in: done) == 1, "\(done.html)")
        #expect(done.html.contains("mars.csv") && !done.html.contains("C:"), "the file's name without its folder")
        #expect(try await agency.get("/offres").html.contains("Maçon coffreur"), "« ç » read as the spreadsheet meant")
        if TestSecurity.isOn {
            let offers = try await request("GET", system.offers.base + "/offers?limit=1")
            let id = try #require(offers.json?["offers"]?[0]?["id"]?.string)
            let history = try await agency.get("/offres/\(id)")
            #expect(history.html.contains("<td>agence</td>"), "the registry's audit names the agency that imported it")
        }
        // Never candidates for an agency, even by a forged form.
        let forged = try await agency.upload(
            "/import", [("_csrf", token), ("genre", "candidate")],
            file: ("fichier", "c.csv", Self.candidatesCSV(count: 1, badGender: -1, badYear: -1)))
        #expect(forged.status == 403)
        // An unknown column: the whole file refused before any row, the column named.
        let unknown = try await agency.upload(
            "/import", [("_csrf", token), ("genre", "offer")],
            file: ("fichier", "o.csv", Array("title,colour\nA,red\n".utf8)))
        #expect(unknown.status == 422 && unknown.html.contains("colour"), "\(unknown.status) \(unknown.html)")
        // No token, a wrong kind, no file, not multipart, too large, markup in the name.
        let file = ("fichier", "o.csv", Array("title\nA\n".utf8))
        #expect(try await agency.upload("/import", [("genre", "offer")], file: file).status == 403)
        #expect(try await agency.upload("/import", [("_csrf", "x"), ("genre", "offer")], file: file).status == 403)
        let kind = try await agency.upload("/import", [("_csrf", token), ("genre", "bus")], file: file)
        #expect(kind.status == 422 && kind.html.contains("Choisissez offres ou candidats"))
        let empty = try await agency.upload(
            "/import", [("_csrf", token), ("genre", "offer")], file: ("fichier", "", []))
        #expect(empty.status == 422 && empty.html.contains("fichier non vide"))
        #expect(try await agency.post("/import", [("_csrf", token), ("genre", "offer")]).status == 415)
        let big = try await agency.upload(
            "/import", [("_csrf", token), ("genre", "offer")],
            file: ("fichier", "big.csv", Array(repeating: UInt8(ascii: "a"), count: 1_100_000)))
        #expect(big.status == 413 && big.html.contains("Fichier trop gros"), "\(big.status)")
        let script = try await agency.upload(
            "/import", [("_csrf", token), ("genre", "offer")],
            file: ("fichier", "<img src=x onerror=alert(1)>.csv", file.2))
        let scriptPage = try await Self.finished(agency, try #require(script.location))
        #expect(!scriptPage.html.contains("<img src=x") && scriptPage.html.contains("&lt;img src=x"))
        #expect(try await request("GET", system.portail.base + "/health").status == 200, "Portail still answers")
    }
}
