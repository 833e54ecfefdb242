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
    /// The methods a client may try; for each known path, a route for every method it lacks.
    /// TRACE too: without it a TRACE to a known path was a 404 (schemathesis' unsupported_method check).
    static var methods: [HTTPRequest.Method] { [.get, .head, .post, .put, .patch, .delete, .options, .trace] }

    /// A router of the known paths, each answering 405 to the methods it does not have.
    private let wrongMethods: RouterResponder<Context>

    init(routes: [Router<Context>.RouteDescription]) {
        var allowed: [String: (path: RouterPath, methods: [HTTPRequest.Method])] = [:]
        for route in routes { allowed[route.path.description, default: (route.path, [])].methods.append(route.method) }
        let router = Router(context: Context.self)
        for (path, methods) in allowed.values {
            let allow = methods.map(\.rawValue).sorted().joined(separator: ", ")
            for method in Self.methods where !methods.contains(method) {
                router.on(path, method: method) { request, _ -> Response in
                    var response = APIError(
                        .methodNotAllowed, code: "method-not-allowed",
                        message: "\(request.method) non permis sur ce chemin (permis : \(allow)) / "
                            + "\(request.method) is not allowed on this path (allowed: \(allow))"
                    ).response
                    response.headers[.allow] = allow
                    return response
                }
            }
        }
        wrongMethods = router.buildResponder()
    }

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let answer = try await wrongMethods.respond(to: request, context: context)
            if answer.status == .methodNotAllowed { return answer }
            throw APIError(
                .notFound, code: "not-found",
                message: "aucune ressource à ce chemin / no resource at this path")
        }
    }
}
