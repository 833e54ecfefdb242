import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import ServiceKit

extension PortalSession {
    /// The officer of the request being handled (set by ``PortalDoor``).
    @TaskLocal static var current: PortalSession?
}

/// Every request goes through here: security headers on every answer; the session read from
/// its cookie (sessions live in Portail's SQLite); no session → to `/connexion`; a write
/// without this session's CSRF token → 403.
struct PortalDoor: RouterMiddleware {
    typealias Context = ServiceRequestContext
    let sessions: SessionStorage<PortalSession>

    /// What anyone may fetch without signing in.
    static func isOpen(_ path: String) -> Bool {
        ["/connexion", "/health", "/metrics", "/openapi.yaml"].contains(path) || path.hasPrefix("/static/")
    }

    static let policy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
        + "frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        var response = try await admit(request, context: context, next: next)
        response.headers[.contentSecurityPolicy] = Self.policy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }

    private func admit(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    )
        async throws -> Response
    {
        let path = request.uri.path
        // Open paths (the sign-in page, the stylesheet, health) read no session.
        if Self.isOpen(path) { return try await next(request, context) }
        guard let session = try? await sessions.load(request: request) else {
            let after = request.method == .get ? request.uri.description : "/"
            return Pages.redirect(
                "/connexion?suite=\(Pages.segment(after))")
        }
        return try await PortalSession.$current.withValue(session) { try await next(request, context) }
    }
}

/// Cross-site request forgery: every form carries `_csrf`, the session's token (or, on the
/// sign-in form, the token of a cookie set with it); a write without it is refused.
enum CSRF {
    static let field = "_csrf"
    static let cookie = "portail_csrf"

    static func matches(_ given: String?, _ expected: String) -> Bool {
        guard let given, given.utf8.count == expected.utf8.count, !expected.isEmpty else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(given.utf8, expected.utf8) { difference |= a ^ b }
        return difference == 0
    }

    static func refused() -> HTTPError {
        HTTPError(
            .forbidden,
            message:
                "Jeton de formulaire absent ou périmé : rechargez la page. / Missing or stale form token: reload the page."
        )
    }
}
