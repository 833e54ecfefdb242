import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import Messages
import NIOCore
import NIOFoundationEssentialsCompat
import NIOHTTP1

/// Portail reads and writes only through the owners' HTTP APIs, with its `portal` key, acting
/// for the signed-in officer (`X-Passerelle-Officer`), so that validation and audit stay with
/// the owner.
struct OwnerClient: Sendable {
    /// e.g. `http://127.0.0.1:8081` (`PASSERELLE_OFFER_REGISTRY_URL`).
    let offers: String
    let candidates: String
    let matches: String
    let notifier: String
    /// The `portal` API key (`portail.apiKey`); nil when the owners run without security.
    let apiKey: String?

    /// What an owner answered.
    struct Answer: Sendable {
        let status: Int
        let body: Data

        var isSuccess: Bool { (200..<300).contains(status) }

        /// The owner's error message in the officer's language (owners write "français /
        /// English") and the field it names, when it sent one.
        var error: (message: String, field: String?)? {
            guard !isSuccess else { return nil }
            guard let json = try? CanonicalJSON.decode(JSONValue.self, from: Array(body)),
                case .string(let message)? = json["error"]?["message"]
            else { return (Self.inLanguage("Le service a répondu \(status). / The service answered \(status)."), nil) }
            if case .string(let field)? = json["error"]?["field"] { return (Self.inLanguage(message), field) }
            return (Self.inLanguage(message), nil)
        }

        /// "français / English" → the half the signed-in officer reads.
        static func inLanguage(_ text: String) -> String {
            inLanguage(text, english: PortalSession.current?.language == "en")
        }

        /// The same, with the language read once by the caller (a page of 400 reasons).
        static func inLanguage(_ text: String, english: Bool) -> String {
            guard let slash = text.range(of: " / "), text[slash.upperBound...].range(of: " / ") == nil else {
                return text
            }
            return String(english ? text[slash.upperBound...] : text[..<slash.lowerBound])
        }

        func decode<T: Decodable>(_ type: T.Type) throws -> T { try JSONDecoder().decode(type, from: body) }
    }

    func get(_ base: String, _ path: String, as officer: String) async throws -> Answer {
        try await send(.GET, base, path, body: nil, as: officer)
    }

    func send(
        _ method: HTTPMethod, _ base: String, _ path: String, body: Data?, as officer: String,
        headers: [String: String] = [:]
    ) async throws -> Answer {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let apiKey { request.headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
        request.headers.add(name: "X-Passerelle-Officer", value: officer)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            let bytes = try await response.body.collect(upTo: 8 << 20)
            return Answer(status: Int(response.status.code), body: Data(buffer: bytes))
        } catch {
            throw HTTPError(
                .badGateway,
                message: "Le service \(base) ne répond pas. / The service \(base) does not answer. (\(error))")
        }
    }
}
