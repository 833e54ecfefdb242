import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Kannel's `sendsms` HTTP interface (smsbox): the text in UTF-8 written in GSM-7 letters,
/// and a delivery-report URL (`dlr-mask` 1+2+8+16: delivered, failed, accepted by the SMS
/// centre, rejected) that brings the report back to `/inbound/dlr` with the message id.
struct KannelChannel: NotificationChannel {
    let name = "kannel"
    let sendsmsURL: String
    let username: String
    let password: String
    /// The sender shown on the phone (smsbox refuses a message without one).
    let from: String
    /// `http://host:port/inbound/dlr?secret=…`: where Kannel reports; `&id=` and `&status=%d` are added.
    let dlrBase: String

    func send(_ message: OutgoingMessage) async throws -> String? {
        guard var components = URLComponents(string: sendsmsURL) else {
            throw ChannelError(description: "sendsms URL \(sendsmsURL) is not a URL")
        }
        let dlr = dlrBase + "&id=\(message.id)&status=%d"
        components.queryItems = [
            URLQueryItem(name: "username", value: username), URLQueryItem(name: "password", value: password),
            URLQueryItem(name: "from", value: from), URLQueryItem(name: "to", value: message.to),
            URLQueryItem(name: "text", value: message.text),
            URLQueryItem(name: "charset", value: "UTF-8"), URLQueryItem(name: "coding", value: "0"),
            URLQueryItem(name: "dlr-mask", value: "27"), URLQueryItem(name: "dlr-url", value: dlr),
        ]
        // `+` is a space in a query: encode it, or a number like +223… loses its sign.
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        guard let url = components.url else { throw ChannelError(description: "sendsms URL could not be built") }
        let response = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: url.absoluteString), timeout: .seconds(10))
        let body = String(buffer: try await response.body.collect(upTo: 4_096))
        // smsbox answers 202 "0: Accepted for delivery" (or 3: Queued for later delivery).
        guard (200..<300).contains(Int(response.status.code)) else {
            throw ChannelError(description: "sendsms answered HTTP \(response.status.code): \(body.prefix(200))")
        }
        return body.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
