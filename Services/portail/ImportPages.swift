import Foundation
import HTTPTypes
import Hummingbird
import Importing
import ServiceKit

/// `/import`: an officer uploads a CSV (or JSON lines) file of offers or candidates, follows
/// its progress, and downloads the rejects file with the reason for each row, to correct and
/// import again. The rules are those of `passerelle import` (the shared importer); the owners
/// check each row and record the officer as its author. A partner agency imports offers only.
struct ImportPages {
    let pages: Pages
    let jobs: ImportJobs
    /// The largest upload, in bytes (`portail.importMaxMB`).
    let limit: Int

    func add(to router: Router<ServiceRequestContext>) {
        router.get("/import") { _, _ -> Response in
            let session = try Self.session()
            return try render(session, errors: [:], status: .ok)
        }
        router.post("/import") { request, _ -> Response in
            let session = try Self.session()
            let form = try await UploadForm.read(request, limit: limit)
            guard CSRF.matches(form["_csrf"], session.csrf) else { throw CSRF.refused() }
            guard let kind = form["genre"].flatMap(RecordKind.init(rawValue:)) else {
                return try render(
                    session, errors: ["genre": "Choisissez offres ou candidats. / Choose offers or candidates."],
                    status: .unprocessableContent)
            }
            guard kind == .offer || session.role.seesCandidates else {
                throw HTTPError(
                    .forbidden,
                    message:
                        "Une agence partenaire importe des offres seulement. / A partner agency imports offers only.")
            }
            guard let file = form.fields["fichier"], !(file.fileName ?? "").isEmpty, !file.value.isEmpty else {
                return try render(
                    session, errors: ["fichier": "Choisissez un fichier non vide. / Choose a file that is not empty."],
                    status: .unprocessableContent)
            }
            do throws(ImportJobs.Refusal) {
                let id = try jobs.start(
                    UploadForm.utf8(file.value), fileName: Self.baseName(file.fileName ?? ""), kind: kind,
                    officer: session.username)
                return Pages.redirect("/import/\(id)")
            } catch {
                return try render(
                    session, errors: ["fichier": OwnerClient.Answer.inLanguage(error.message)],
                    status: .unprocessableContent)
            }
        }
        router.get("/import/:id") { _, context -> Response in
            let session = try Self.session()
            guard let job = jobs.job(context.parameters.get("id") ?? "", of: session.username) else {
                return try notFound()
            }
            return try pages.render(
                "import-suivi", title: "Import : \(job.fileName)", Self.row(job),
                refresh: job.state == .running ? 2 : nil)
        }
        router.get("/import/:id/rejets.csv") { _, context -> Response in
            let session = try Self.session()
            let id = context.parameters.get("id") ?? ""
            guard let job = jobs.job(id, of: session.username), job.rejects > 0,
                let rejects = FileManager.default.contents(atPath: jobs.rejectsPath(id))
            else { return try notFound() }
            // With a byte-order mark, as every CSV Portail gives, so that a spreadsheet reads UTF-8.
            var body = ByteBuffer(bytes: [0xEF, 0xBB, 0xBF])
            body.writeBytes(rejects)
            let name = Pages.segment((job.fileName as NSString).deletingPathExtension) + "-rejets.csv"
            return Response(
                status: .ok,
                headers: [
                    .contentType: "text/csv; charset=utf-8",
                    .contentDisposition: "attachment; filename=\"\(name)\"",
                ],
                body: ResponseBody(byteBuffer: body))
        }
        router.post("/import/:id/supprimer") { request, context -> Response in
            let session = try Self.session()
            let form = try await FormBody.decode(TokenForm.self, from: request)
            guard CSRF.matches(form._csrf, session.csrf) else { throw CSRF.refused() }
            guard jobs.delete(context.parameters.get("id") ?? "", of: session.username) else { return try notFound() }
            return Pages.redirect("/import")
        }
    }

    private static func session() throws -> PortalSession {
        guard let session = PortalSession.current else { throw HTTPError(.unauthorized) }
        return session
    }

    private func notFound() throws -> Response {
        try pages.render(
            "erreur", title: "Import",
            ["message": OwnerClient.Answer.inLanguage("Import introuvable. / No such import.")], status: .notFound)
    }

    private func render(
        _ session: PortalSession, errors: [String: String], status: HTTPResponse.Status
    ) throws
        -> Response
    {
        let imports = jobs.jobs(of: session.username).map(Self.row)
        var values: [String: Any] = [
            "imports": imports, "hasImports": !imports.isEmpty, "limitMB": limit / 1_048_576,
            "offerColumns": RecordKind.offer.columns.map(\.path).filter { $0 != "id" }.joined(separator: ", "),
            "candidateColumns": RecordKind.candidate.columns.map(\.path).filter { $0 != "id" }.joined(separator: ", "),
            "seesCandidates": session.role.seesCandidates,
        ]
        for (field, message) in errors { values["error_" + field] = message }
        values["hasErrors"] = !errors.isEmpty
        return try pages.render("import", title: "Import", values, status: status)
    }

    /// What the pages show of a job.
    static func row(_ job: ImportJobs.Job) -> [String: Any] {
        let tally = job.tally
        let expected = max(job.expectedRows, tally.done)
        var row: [String: Any] = [
            "id": job.id, "fileName": job.fileName, "kind": tr(job.kind == .offer ? "Offres" : "Candidats"),
            "started": Self.time(job.startedAt), "done": tally.done, "expected": expected,
            "percent": expected == 0 ? 100 : tally.done * 100 / expected,
            "created": tally.created, "alreadyPresent": tally.alreadyPresent, "rejected": tally.rejected,
            "failed": tally.failed, "rejects": job.rejects, "hasRejects": job.rejects > 0,
            "running": job.state == .running, "finished": job.state == .done,
        ]
        if case .stopped(let reason) = job.state { row["stopped"] = OwnerClient.Answer.inLanguage(reason) }
        return row
    }

    private static func time(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "fr_FR")
        formatter.timeZone = TimeZone(identifier: "Africa/Bamako")
        formatter.dateFormat = "dd/MM/yyyy HH:mm"
        return formatter.string(from: date)
    }

    /// The file's name without any folder a browser may have sent.
    static func baseName(_ name: String) -> String {
        let last = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? "fichier.csv"
        return String(last.unicodeScalars.filter { $0.value >= 0x20 }.prefix(120).map(Character.init))
    }
}
