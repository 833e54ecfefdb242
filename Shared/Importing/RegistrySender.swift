import AsyncHTTPClient
import Foundation
import Messages
import NIOCore
import NIOHTTP1

/// What became of one POST.
package enum PostOutcome: Sendable, Hashable {
    /// 201: the registry created the record.
    case created
    /// 200: the registry had already seen this idempotency key.
    case alreadyPresent
    /// 4xx: the registry refused the row, saying why.
    case rejected(RowProblem)
    /// 5xx or no connection, retries exhausted: `unreachable` or `server-error`.
    case failed(RowProblem)
    /// 401 or 403: the registry refuses our credentials, for this row and every other.
    case refused(status: Int, RowProblem)

    /// Whether the registry answered at all (anything but a connection failure).
    package var registryAnswered: Bool {
        if case .failed(let problem) = self { problem.code != "unreachable" } else { true }
    }
}

/// Sends one record to a registry. The importer depends on this only, so that its flow can
/// be tested against any server.
package protocol RecordSender: Sendable {
    /// POSTs `body` (JSON) to `path` with `Idempotency-Key: idempotencyKey`, retrying
    /// server errors and connection failures.
    func post(_ body: [UInt8], to path: String, idempotencyKey: String) async -> PostOutcome
}

/// How often and how patiently to retry a 5xx or a failed connection.
package struct RetryPolicy: Sendable {
    /// Attempts in all, the first included.
    package var attempts = 4
    /// Wait before the first retry; each later retry waits twice as long.
    package var firstDelay: Duration = .milliseconds(250)
    package var requestTimeout: TimeAmount = .seconds(30)

    package init(
        attempts: Int = 4, firstDelay: Duration = .milliseconds(250), requestTimeout: TimeAmount = .seconds(30)
    ) {
        self.attempts = attempts
        self.firstDelay = firstDelay
        self.requestTimeout = requestTimeout
    }
}

/// A registry's HTTP API through AsyncHTTPClient.
package struct HTTPRecordSender: RecordSender {
    package let baseURL: String
    package let client: HTTPClient
    package var retry = RetryPolicy()
    /// Sent as `Authorization: Bearer <key>` on every request, when the registry needs keys.
    package var apiKey: String?
    /// Sent on every request too: Portail names the officer it acts for (`X-Passerelle-Officer`).
    package var headers: [String: String] = [:]

    /// `baseURL` such as `http://127.0.0.1:8081`; a trailing `/` is dropped.
    package init(
        baseURL: String, client: HTTPClient, retry: RetryPolicy = RetryPolicy(), apiKey: String? = nil
    ) throws(ImportError) {
        guard let url = URL(string: baseURL), let scheme = url.scheme, ["http", "https"].contains(scheme),
            url.host != nil
        else { throw .invalidURL(baseURL) }
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.client = client
        self.retry = retry
        self.apiKey = apiKey
    }

    package func post(_ body: [UInt8], to path: String, idempotencyKey: String) async -> PostOutcome {
        var last = PostOutcome.failed(RowProblem(field: "", code: "unreachable", message: "aucune tentative"))
        var delay = retry.firstDelay
        for attempt in 1...max(1, retry.attempts) {
            if attempt > 1 {
                do { try await Task.sleep(for: delay) } catch { return last }
                delay *= 2
            }
            last = await postOnce(body, to: path, idempotencyKey: idempotencyKey)
            if case .failed = last { continue }
            return last
        }
        return last
    }

    private func postOnce(_ body: [UInt8], to path: String, idempotencyKey: String) async -> PostOutcome {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "Idempotency-Key", value: idempotencyKey)
        if let apiKey { request.headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(body)
        let status: HTTPResponseStatus
        let answer: ByteBuffer
        do {
            let response = try await client.execute(request, timeout: retry.requestTimeout)
            status = response.status
            answer = try await response.body.collect(upTo: 1 << 20)
        } catch {
            return .failed(
                RowProblem(
                    field: "", code: "unreachable",
                    message: Self.unreachablePrefix + "\(error)"))
        }
        switch status.code {
        case 201: return .created
        case 200: return .alreadyPresent
        case 202...299: return .created
        case 401, 403: return .refused(status: Int(status.code), Self.problem(status: status, body: answer))
        case 500...599:
            return .failed(
                RowProblem(
                    field: "", code: "server-error",
                    message: "erreur du registre / registry error: HTTP \(status.code) \(Self.excerpt(answer))"))
        default:
            let problem = Self.problem(status: status, body: answer)
            // Import keys are the row's hash, so only demo can reuse one with another body: the
            // same seed on another day (its dates count from today). The record exists already.
            if problem.code == "idempotency-key-reused" { return .alreadyPresent }
            return .rejected(problem)
        }
    }

    package static let unreachablePrefix = "registre injoignable / registry unreachable: "

    /// The registry's `{"error": {"code", "message", "field"}}`, or the status if the body is not that.
    package static func problem(status: HTTPResponseStatus, body: ByteBuffer) -> RowProblem {
        let bytes = body.readableBytesView
        if let value = try? CanonicalJSON.decode(JSONValue.self, from: bytes), case .object? = value["error"],
            case .string(let code)? = value["error"]?["code"]
        {
            var message = ""
            if case .string(let text)? = value["error"]?["message"] { message = text }
            var field = ""
            if case .string(let text)? = value["error"]?["field"] { field = text }
            return RowProblem(field: field, code: code, message: message)
        }
        return RowProblem(field: "", code: "http-\(status.code)", message: "HTTP \(status.code) \(excerpt(body))")
    }

    private static func excerpt(_ body: ByteBuffer) -> String {
        String(decoding: body.readableBytesView.prefix(200), as: UTF8.self)
            .replacingOccurrences(of: "\n", with: " ")
    }
}
