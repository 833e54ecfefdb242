import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import ServiceKit

/// Renders Portail's pages: Mustache templates (HTML escaping on by default) with a layout.
struct Pages: Sendable {
    let library: MustacheLibrary
    /// The English of the pages' text (`en.json` beside the templates).
    let translate: Translation

    /// The templates shipped with the executable, or those of `directory` (`portail.templatesDir`).
    static func load(directory: String?) async throws -> Pages {
        let folder = directory ?? resources + "/templates"
        let library = try await MustacheLibrary(directory: folder)
        for name in [
            "layout", "connexion", "accueil", "offres", "offre", "erreur", "offre-form", "candidats", "candidat",
            "effacer", "offre-candidats", "candidat-form", "import", "import-suivi",
        ]
        where library.getTemplate(named: name) == nil {
            throw SettingsError.invalid(
                key: "portail.templatesDir", reason: "no \(name).mustache in \(folder): the pages cannot be drawn")
        }
        let translation = try Translation.load(folder: folder)
        Translation.install(translation)
        return Pages(library: library, translate: translation)
    }

    /// `text` as one path segment or query value (letters, digits and `-._~` kept as they are).
    static func segment(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    /// What SwiftPM copied beside the executable (`Resources/`: templates and public files).
    static var resources: String { Bundle.module.bundlePath + "/Resources" }

    /// A page for the signed-in officer: `values` plus what the layout needs.
    func render(
        _ template: String, title: String, _ values: [String: Any], status: HTTPResponse.Status = .ok,
        refresh seconds: Int? = nil
    )
        throws -> Response
    {
        // An absent value must be absent: an Optional wrapped in Any would print « nil ».
        var context = values.filter { !Self.isNil($0.value) }
        context["pageTitle"] = translate(title)
        context["lang"] = "fr"
        // French: `t` is a plain section (its text as written); English: the lambda that
        // translates (a lambda's answer is parsed again as a template, so only when needed).
        if PortalSession.current?.language == "en" {
            context["t"] = translate.lambda
        } else {
            context["t"] = true
        }
        // A page that follows work going on (an import) reloads itself: no script needed.
        if let seconds { context["refresh"] = seconds }
        if let session = PortalSession.current {
            let english = session.language == "en"
            context["lang"] = session.language
            context["english"] = english
            context["french"] = !english
            context["officer"] = [
                "name": session.displayName, "role": translate(session.role.title), "csrf": session.csrf,
                "seesCandidates": session.role.seesCandidates, "approves": session.role.approves,
                "otherLanguage": english ? "fr" : "en", "otherLanguageName": english ? "Français" : "English",
            ]
        }
        guard let html = library.render(context, withTemplate: template) else {
            throw HTTPError(.internalServerError, message: "template \(template) is missing")
        }
        return Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    /// `text` safe in HTML text and in a double-quoted attribute.
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// Whether `value` is an Optional holding nothing (Mustache would print it as « nil »).
    static func isNil(_ value: Any) -> Bool {
        let mirror = Mirror(reflecting: value)
        return mirror.displayStyle == .optional && mirror.children.isEmpty
    }

    /// 303 to `location` (after a form, the browser GETs the next page).
    static func redirect(_ location: String, cookies: [String] = []) -> Response {
        var headers: HTTPFields = [.location: location]
        for cookie in cookies { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return Response(status: .seeOther, headers: headers)
    }

    /// Only a path of this site (`/offres?…`), never `//elsewhere` or `https://…`, after sign-in.
    static func localPath(_ text: String?) -> String {
        guard let text, text.hasPrefix("/"), !text.hasPrefix("//"), !text.contains("\\"),
            !text.unicodeScalars.contains(where: { $0.value < 0x20 })
        else { return "/" }
        return text
    }
}
