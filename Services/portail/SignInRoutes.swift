import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import Messages
import ServiceKit

/// `/connexion` and `/deconnexion`.
struct SignInRoutes {
    let pages: Pages
    let accounts: Accounts
    let sessions: SessionStorage<PortalSession>
    let sessionLength: Duration
    /// Cookies marked Secure (behind TLS).
    let secureCookies: Bool
    /// Failed sign-ins per address.
    let throttle: SignInThrottle
    /// Behind a reverse proxy on this host: the address is the last of `X-Forwarded-For`.
    let behindProxy: Bool

    func add(to router: Router<ServiceRequestContext>) {
        router.get("/connexion") { request, _ -> Response in
            try form(request, error: nil, status: .ok)
        }
        router.post("/connexion") { request, context -> Response in
            let form = try await FormBody.decode(SignInForm.self, from: request)
            guard let expected = request.cookies[CSRF.cookie]?.value, CSRF.matches(form._csrf, expected) else {
                throw CSRF.refused()
            }
            let address = address(request, context)
            // Before any password is checked: bcrypt is the costly part.
            if let until = throttle.blockedUntil(address) {
                var response = try self.form(
                    request,
                    error: "Trop d’essais depuis cet appareil ; réessayez après \(Self.clock(Timestamp(until))) UTC. / "
                        + "Too many attempts from this device; try again after \(Self.clock(Timestamp(until))) UTC.",
                    status: .tooManyRequests, username: form.identifiant, after: form.suite)
                response.headers[.retryAfter] = "\(max(1, Int(until.timeIntervalSinceNow.rounded(.up))))"
                return response
            }
            let outcome = try await accounts.signIn(username: form.identifiant, password: form.motDePasse)
            if case .signedIn = outcome {} else { throttle.failed(address) }
            switch outcome {
            case .signedIn(let session):
                let cookie = try await sessions.save(session: session, expiresIn: sessionLength)
                return Pages.redirect(Pages.localPath(form.suite), cookies: [cookie.description])
            case .refused:
                return try self.form(
                    request, error: "Identifiant ou mot de passe incorrect. / Wrong user name or password.",
                    status: .unauthorized, username: form.identifiant, after: form.suite)
            case .locked(let until):
                return try self.form(
                    request,
                    error: "Compte verrouillé après trop d’essais, jusqu’à \(Self.clock(until)) UTC. / "
                        + "Account locked after too many attempts, until \(Self.clock(until)) UTC.",
                    status: .forbidden, username: form.identifiant, after: form.suite)
            }
        }
        // French first; English by this switch, kept in the session.
        router.post("/langue") { request, _ -> Response in
            let form = try await FormBody.decode([String: String].self, from: request)
            guard var session = PortalSession.current, CSRF.matches(form["_csrf"], session.csrf) else {
                throw CSRF.refused()
            }
            session.language = form["langue"] == "en" ? "en" : "fr"
            try await sessions.update(session: session, expiresIn: nil, request: request)
            // Back to the page the officer was on (its path only: never another site).
            let back = request.headers[.referer].flatMap { URLComponents(string: $0) }.map {
                $0.percentEncodedPath + ($0.percentEncodedQuery.map { "?" + $0 } ?? "")
            }
            return Pages.redirect(Pages.localPath(back))
        }
        router.post("/deconnexion") { request, _ -> Response in
            let form = try await FormBody.decode(TokenForm.self, from: request)
            guard let session = PortalSession.current, CSRF.matches(form._csrf, session.csrf) else {
                throw CSRF.refused()
            }
            let cookie = try await sessions.delete(request: request)
            return Pages.redirect("/connexion", cookies: [cookie.description])
        }
    }

    /// The sign-in form, with a fresh token in a cookie of its own and in the form.
    private func form(
        _ request: Request, error: String?, status: HTTPResponse.Status, username: String = "", after: String? = nil
    ) throws -> Response {
        let token = request.cookies[CSRF.cookie]?.value ?? Accounts.token()
        var values: [String: Any] = [
            "csrf": token, "username": username,
            "suite": Pages.localPath(after ?? request.uri.queryParameters["suite"].map(String.init)),
        ]
        if let error { values["error"] = error }
        var response = try pages.render("connexion", title: "Connexion", values, status: status)
        let cookie = Cookie(
            name: CSRF.cookie, value: token, path: "/connexion", secure: secureCookies, httpOnly: true,
            sameSite: .strict)
        response.headers.append(HTTPField(name: .setCookie, value: cookie.description))
        return response
    }

    /// The peer's address, or behind a proxy on this host the one the proxy names last.
    private func address(_ request: Request, _ context: ServiceRequestContext) -> String {
        let peer = context.remoteAddress?.ipAddress ?? "-"
        guard behindProxy, let forwarded = request.headers[.init("X-Forwarded-For")!] else { return peer }
        return forwarded.split(separator: ",").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? peer
    }

    static func clock(_ time: Timestamp) -> String {
        let minutes = (time.millisecondsSinceEpoch / 60_000) % 1_440
        return String(format: "%02d:%02d", minutes / 60, minutes % 60)
    }
}
