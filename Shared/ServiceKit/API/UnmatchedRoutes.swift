import HTTPTypes
import Hummingbird

/// Answers the requests no route took with the API's JSON error body: 405
/// `method-not-allowed` with an `Allow` header when the path is known but not the method
/// (`DELETE /offers`), 404 `not-found` otherwise. Hummingbird's default is a bare 404 for both.
///
/// `ServiceRunner` adds it to the router after the service's routes: a router middleware
/// applies only to the routes added after it, and to the not-found responder, so this one
/// runs for unmatched requests alone.
struct UnmatchedRoutes<Context: RequestContext>: RouterMiddleware {
    /// A router of the known paths, each answering GET with the methods it has in `Allow`:
    /// asked with any request's path, it tells whether that path is known. Any method the
    /// path lacks is then 405, whatever it is (TRACE, QUERY, …), not only a listed few.
    private let knownPaths: RouterResponder<Context>

    init(routes: [Router<Context>.RouteDescription]) {
        var allowed: [String: (path: RouterPath, methods: [HTTPRequest.Method])] = [:]
        for route in routes { allowed[route.path.description, default: (route.path, [])].methods.append(route.method) }
        let router = Router(context: Context.self)
        for (path, methods) in allowed.values {
            let allow = methods.map(\.rawValue).sorted().joined(separator: ", ")
            router.get(path) { _, _ -> Response in Response(status: .methodNotAllowed, headers: [.allow: allow]) }
        }
        knownPaths = router.buildResponder()
    }

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            var head = request.head
            head.method = .get
            let known = try? await knownPaths.respond(to: Request(head: head, body: request.body), context: context)
            if let allow = known?.headers[.allow],
                !allow.split(separator: ", ").contains(Substring(request.method.rawValue))
            {
                var response = APIError(
                    .methodNotAllowed, code: "method-not-allowed",
                    message: "\(request.method) non permis sur ce chemin (permis : \(allow)) / "
                        + "\(request.method) is not allowed on this path (allowed: \(allow))"
                ).response
                response.headers[.allow] = allow
                return response
            }
            throw APIError(
                .notFound, code: "not-found",
                message: "aucune ressource à ce chemin / no resource at this path")
        }
    }
}
