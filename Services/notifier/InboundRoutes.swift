import Crypto
import Foundation
import Hummingbird
import Messages
import ServiceKit
import Synchronization

/// What the SMS gateway calls: `/inbound/sms` with each SMS a phone sent (Kannel's
/// `sms-service`, by GET with a query or POST form-encoded: `from`, `text`, `id`, `time`,
/// `secret`), and `/inbound/dlr` with delivery reports (`id`, `status`, `secret`). Both
/// authenticate the gateway by the shared secret; an SMS is refused with the field and the
/// reason when it is malformed, and a number that writes too often is slowed down.
struct InboundRoutes: Sendable {
    let notifier: Notifier
    let secret: String?
    let limiter = RateLimiter(perMinute: 10)
    static let maximumText = 1_000
    /// The largest form-encoded body a gateway sends (Kannel's are a few hundred bytes).
    static let maximumForm = 16_384

    func add(to router: Router<ServiceRequestContext>) {
        for method in [HTTPRequest.Method.get, .post] {
            router.on("/inbound/sms", method: method) { request, context -> Response in
                let fields = try await Self.fields(request, context)
                try checkSecret(fields)
                guard let from = fields["from"].flatMap(Self.phone) else {
                    throw APIError.invalid(
                        "from", french: "numéro attendu (E.164)", english: "a phone number is expected (E.164)")
                }
                guard let text = fields["text"] else {
                    throw APIError.invalid("text", french: "texte attendu", english: "a text is expected")
                }
                guard text.count <= Self.maximumText else {
                    throw APIError.invalid(
                        "text", french: "plus de \(Self.maximumText) caractères",
                        english: "more than \(Self.maximumText) characters")
                }
                guard limiter.allow(from) else {
                    throw APIError(
                        .tooManyRequests, code: "rate-limited",
                        message: "trop de messages de ce numéro, réessayez dans une minute / "
                            + "too many messages from this number, try again in a minute", field: "from")
                }
                let id = fields["id"].flatMap { $0.isEmpty || $0.count > 100 ? nil : $0 }
                let heard = try await notifier.heard(from: from, text: text, gatewayId: id, at: .now)
                return APIBody.response(heard)
            }
            router.on("/inbound/dlr", method: method) { request, context -> Response in
                let fields = try await Self.fields(request, context)
                try checkSecret(fields)
                guard let id = fields["id"], !id.isEmpty, id.count <= 100 else {
                    throw APIError.invalid(
                        "id", french: "identifiant de message attendu", english: "a message id is expected")
                }
                guard let status = fields["status"].flatMap(Int.init) else {
                    throw APIError.invalid(
                        "status", french: "code de rapport attendu", english: "a report code is expected")
                }
                try await notifier.delivered(id, kannelStatus: status)
                return APIBody.response(["id": id])
            }
        }
    }

    private func checkSecret(_ fields: [String: String]) throws {
        guard let secret, !secret.isEmpty else {
            throw APIError(
                .forbidden, code: "inbound-disabled",
                message: "passerelle SMS non configurée (notifier.inboundSecret) / SMS gateway not configured")
        }
        let given = Data((fields["secret"] ?? "").utf8)
        guard given.count == secret.utf8.count,
            SHA256.hash(data: given) == SHA256.hash(data: Data(secret.utf8))
        else {
            throw APIError(
                .forbidden, code: "bad-secret", message: "secret de la passerelle refusé / gateway secret refused",
                field: "secret")
        }
    }

    /// The request's fields: its query, and a form-encoded body (POST).
    static func fields(_ request: Request, _ context: ServiceRequestContext) async throws -> [String: String] {
        var fields: [String: String] = [:]
        for (name, value) in request.uri.queryParameters { fields[String(name)] = String(value) }
        if request.method == .post {
            let body = try await APIBody.collect(request, upTo: maximumForm)
            var components = URLComponents()
            components.percentEncodedQuery = String(buffer: body).replacingOccurrences(of: "+", with: "%20")
            for item in components.queryItems ?? [] { fields[item.name] = item.value ?? "" }
        }
        return fields
    }

    /// `+22376…`, `0022376…` or `22376…` (as Kannel gives it) → `+22376…`; nil if not a number.
    static func phone(_ text: String) -> String? {
        var digits = text.trimmingCharacters(in: .whitespaces)
        if digits.hasPrefix("+") { digits.removeFirst() } else if digits.hasPrefix("00") { digits.removeFirst(2) }
        guard (6...15).contains(digits.count), digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else {
            return nil
        }
        return "+" + digits
    }
}

/// At most `perMinute` messages per number in any minute (a sliding window).
final class RateLimiter: Sendable {
    let perMinute: Int
    private let seen = Mutex<[String: [ContinuousClock.Instant]]>([:])

    init(perMinute: Int) { self.perMinute = perMinute }

    func allow(_ key: String, now: ContinuousClock.Instant = .now) -> Bool {
        seen.withLock { seen in
            if seen.count > 10_000 { seen = seen.filter { $0.value.last.map { now - $0 < .seconds(60) } ?? false } }
            var times = (seen[key] ?? []).filter { now - $0 < .seconds(60) }
            defer { seen[key] = times }
            guard times.count < perMinute else { return false }
            times.append(now)
            return true
        }
    }
}
