import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOFoundationEssentialsCompat
import NIOHTTP1

/// An HTTP POST of the message as JSON to a partner's URL, signed: the header
/// `X-Passerelle-Signature: sha256=<hex HMAC-SHA256 of the body with the shared secret>`,
/// and `Idempotency-Key: <message id>` so that a retried delivery is recognised. A 2xx
/// answer is delivery; anything else (or no answer within `notifier.webhook.timeoutSeconds`,
/// 10 by default) is retried.
struct WebhookChannel: NotificationChannel {
    let name = "webhook"
    let recognisesRepeats = true
    let url: String
    let secret: String
    /// How long a partner may take to answer (a partner that is down costs this per try).
    var timeout: Duration = .seconds(10)

    func send(_ message: OutgoingMessage) async throws -> String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = try encoder.encode(message)
        let signature = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8)))
            .map { String(format: "%02x", $0) }.joined()
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "X-Passerelle-Signature", value: "sha256=\(signature)")
        request.headers.add(name: "Idempotency-Key", value: message.id)
        request.body = .bytes(ByteBuffer(data: body))
        let response = try await HTTPClient.shared.execute(
            request, timeout: .seconds(Int64(timeout.components.seconds)))
        guard (200..<300).contains(Int(response.status.code)) else {
            throw ChannelError(description: "webhook answered HTTP \(response.status.code)")
        }
        return nil
    }
}
