import Hummingbird
import Prometheus

/// Counts every HTTP request by method, route (the pattern, e.g. `/offers/:id`; `unmatched`
/// for a path no route takes, so that a scan of random paths cannot grow the series) and
/// status, and times it: `passerelle_http_requests_total` and
/// `passerelle_http_request_duration_seconds`. Every ServiceRunner has it.
struct HTTPMetrics<Context: RequestContext>: RouterMiddleware {
    let metrics: ServiceMetrics

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            record(request, context, status: response.status.code, since: start)
            return response
        } catch {
            record(request, context, status: (error as? any HTTPResponseError)?.status.code ?? 500, since: start)
            throw error
        }
    }

    private func record(_ request: Request, _ context: Context, status: Int, since start: ContinuousClock.Instant) {
        // Hummingbird names the not-found responder's path "NotFound".
        let route = context.endpointPath.flatMap { $0 == "NotFound" ? nil : $0 } ?? "unmatched"
        let method = request.method.rawValue
        metrics.counter(
            "passerelle_http_requests_total", labels: [("method", method), ("route", route), ("status", "\(status)")],
            help: "HTTP requests answered, by method, route and status."
        ).increment()
        metrics.histogram(
            "passerelle_http_request_duration_seconds", labels: [("method", method), ("route", route)],
            help: "Time to answer an HTTP request, by method and route."
        ).record(ContinuousClock.now - start)
    }
}
