import Foundation
import HTTPTypes
import Hummingbird

/// Who is calling an HTTP API, once their key was checked: available to handlers through
/// ``APICaller/current`` (a task-local set for the request).
public struct APICaller: Sendable, Equatable {
    /// The key's name (`agence-madrid`, `portail`), or `(sans clé / no key)` without security.
    public var name: String
    public var role: APIKeys.Role?
    /// The officer a `portal` key acts for (`X-Passerelle-Officer`).
    public var onBehalfOf: String?

    @TaskLocal public static var current: APICaller?

    /// Without security every caller is this one.
    public static let anonymous = APICaller(name: "(sans clé / no key)", role: nil, onBehalfOf: nil)
}

/// Which roles may call one route; `path` uses the router's `:parameter` pattern.
public struct AccessRule: Sendable {
    public var method: HTTPRequest.Method
    public var path: String
    public var roles: Set<APIKeys.Role>
    /// A request without `Authorization` reaches the route as ``APICaller/anonymous`` (the
    /// route decides what it may see, e.g. the public statistics); one with a key is still
    /// checked, so a wrong or revoked key is refused rather than taken for the public.
    public var allowsAnonymous: Bool

    public init(_ method: HTTPRequest.Method, _ path: String, _ roles: Set<APIKeys.Role>, anonymous: Bool = false) {
        self.method = method
        self.path = path
        self.roles = roles
        self.allowsAnonymous = anonymous
    }

    func matches(_ method: HTTPRequest.Method, _ components: [Substring]) -> Bool {
        guard method == self.method else { return false }
        let pattern = path.split(separator: "/")
        guard pattern.count == components.count else { return false }
        return zip(pattern, components).allSatisfy { $0.hasPrefix(":") || $0 == $1 }
    }
}

/// The API's door (DESIGN.md, "Security"): with security on, every request but `/health`,
/// `/metrics` and `/openapi.yaml` needs `Authorization: Bearer <key>` of a listed, unrevoked
/// client (401 otherwise) whose role the route accepts (403 otherwise). A `portal` key must
/// name the officer it acts for in `X-Passerelle-Officer`. Every write that reaches a route
/// is then audited by ``AuditLog``.
struct APIAccessMiddleware<Context: RequestContext>: RouterMiddleware {
    let security: BusSecurity?
    let rules: [AccessRule]
    let audit: AuditLog?
    /// Paths whose route authenticates the caller itself (a gateway's shared secret).
    var gateways: Set<String> = []

    static var openPaths: Set<String> { ["/health", "/metrics", "/openapi.yaml"] }
    static var officerHeader: HTTPField.Name { HTTPField.Name("X-Passerelle-Officer")! }

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        if Self.openPaths.contains(request.uri.path) || gateways.contains(request.uri.path) {
            return try await next(request, context)
        }
        let note = AuditNote()
        let isWrite = [.post, .put, .delete, .patch].contains(request.method)
        let caller: APICaller
        if security != nil, request.headers[.authorization] == nil,
            rules.first(where: { $0.matches(request.method, request.uri.path.split(separator: "/")) })?.allowsAnonymous
                == true
        {
            caller = .anonymous
        } else if let security {
            do {
                caller = try authenticate(request, security)
            } catch let refusal as Refusal {
                // A known key refused for its role is audited (who tried what); an unknown one
                // cannot be attributed to anyone, and is only answered.
                if isWrite, let known = refusal.caller {
                    await audit?.record(request, status: refusal.error.status, caller: known, note: note, nil)
                }
                throw refusal.error
            }
        } else {
            caller = .anonymous
        }
        do {
            let response = try await APICaller.$current.withValue(caller) {
                try await AuditNote.$current.withValue(note) { try await next(request, context) }
            }
            if isWrite { await audit?.record(request, status: response.status, caller: caller, note: note, response) }
            return response
        } catch {
            if isWrite {
                let status = (error as? any HTTPResponseError)?.status ?? .internalServerError
                await audit?.record(request, status: status, caller: caller, note: note, nil)
            }
            throw error
        }
    }

    /// A refused request, with the caller when the key was a listed one.
    struct Refusal: Error {
        var error: APIError
        var caller: APICaller?
    }

    private func authenticate(_ request: Request, _ security: BusSecurity) throws -> APICaller {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
            let client = security.apiClient(presenting: String(header.dropFirst("Bearer ".count)))
        else {
            throw Refusal(
                error: APIError(
                    .unauthorized, code: "unauthorized",
                    message: "clé d’API absente, inconnue ou révoquée (Authorization: Bearer …) / "
                        + "missing, unknown or revoked API key"))
        }
        let known = APICaller(name: client.name, role: client.role, onBehalfOf: nil)
        let components = request.uri.path.split(separator: "/")
        let allowed =
            rules.first { $0.matches(request.method, components) }?.roles
            ?? [.officer]  // a route without a rule (or an unknown path) is for officers only
        guard allowed.contains(client.role) else {
            throw Refusal(
                error: APIError(
                    .forbidden, code: "forbidden",
                    message: "le rôle \(client.role.rawValue) ne permet pas \(request.method) \(request.uri.path) / "
                        + "role \(client.role.rawValue) may not do this"),
                caller: known)
        }
        var onBehalfOf: String?
        if client.role == .portal {
            guard let officer = request.headers[Self.officerHeader],
                (1...100).contains(officer.count),
                officer.unicodeScalars.allSatisfy({ !CharacterSet.controlCharacters.contains($0) })
            else {
                throw Refusal(
                    error: APIError(
                        .forbidden, code: "officer-required",
                        message: "une clé portal doit nommer l’agent (X-Passerelle-Officer) / "
                            + "a portal key must name the officer it acts for"),
                    caller: known)
            }
            onBehalfOf = officer
        }
        return APICaller(name: client.name, role: client.role, onBehalfOf: onBehalfOf)
    }
}
