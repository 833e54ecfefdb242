import Foundation
import HTTPTypes
import Hummingbird

extension Router {
    /// Adds `GET /health` (JSON; 200 while ok or degraded, 503 when down) and
    /// `GET /metrics` (Prometheus text) and, given the service's OpenAPI document,
    /// `GET /openapi.yaml`. All three stay open when the API needs keys.
    public func addAdminRoutes(health: HealthChecks, metrics: ServiceMetrics, openAPI: [UInt8]? = nil) {
        get("/health") { _, _ -> Response in
            let report = health.current
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let body = (try? encoder.encode(report)) ?? Data("{\"status\":\"down\"}".utf8)
            return Response(
                status: report.status == .down ? .serviceUnavailable : .ok,
                headers: [.contentType: "application/json; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
        }
        get("/metrics") { _, _ -> Response in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
        }
        if let openAPI {
            get("/openapi.yaml") { _, _ -> Response in
                Response(
                    status: .ok,
                    headers: [.contentType: "application/yaml; charset=utf-8"],
                    body: ResponseBody(byteBuffer: ByteBuffer(bytes: openAPI)))
            }
        }
    }
}
