import Foundation
import ServiceKit

/// How a message leaves the notifier: a plugin chosen in config (`notifier.channel`).
/// `send` either hands the message over (returns a receipt, if the channel gives one) or
/// throws; the dispatcher retries with back-off and, after the last try, gives up.
protocol NotificationChannel: Sendable {
    /// `spool`, `webhook`, `kannel`: what `notification.sent` names.
    var name: String { get }
    /// True when whoever receives a message handed over twice recognises it by its `id` (a
    /// webhook's Idempotency-Key, the spool's `id` field): a message interrupted while being
    /// handed over is then sent again. False (Kannel, and any channel that does not say): it
    /// is recorded failed instead, so that no one gets the same SMS twice.
    var recognisesRepeats: Bool { get }
    func send(_ message: OutgoingMessage) async throws -> String?
}

extension NotificationChannel {
    var recognisesRepeats: Bool { false }
}

/// One SMS to send.
struct OutgoingMessage: Sendable, Codable {
    /// The notifier's id: webhooks get it as `Idempotency-Key`, Kannel in the delivery-report URL.
    var id: String
    var to: String
    var text: String
    var template: String
}

/// A channel that could not take a message; the reason is kept with the message.
struct ChannelError: Error, CustomStringConvertible {
    let description: String
}

enum Channels {
    /// The channel the settings name: `spool` (default), `webhook` or `kannel`.
    static func make(_ settings: ServiceSettings, dlrBase: String) throws -> any NotificationChannel {
        let name = settings.value("notifier.channel") ?? "spool"
        switch name {
        case "spool":
            return try SpoolChannel(directory: (settings.dataDirectory as NSString).appendingPathComponent("spool"))
        case "webhook":
            guard let url = settings.value("notifier.webhook.url"), let parsed = URL(string: url), parsed.scheme != nil
            else {
                throw SettingsError.invalid(
                    key: "notifier.webhook.url", reason: "a URL is needed for the webhook channel")
            }
            return WebhookChannel(
                url: url, secret: settings.value("notifier.webhook.secret") ?? "",
                timeout: .seconds(try settings.integer("notifier.webhook.timeoutSeconds", default: 10, in: 1...300)))
        case "kannel":
            return KannelChannel(
                sendsmsURL: settings.value("notifier.kannel.sendsmsURL") ?? "http://127.0.0.1:13013/cgi-bin/sendsms",
                username: settings.value("notifier.kannel.username") ?? "passerelle",
                password: settings.value("notifier.kannel.password") ?? "",
                from: settings.value("notifier.kannel.from") ?? "PASSERELLE", dlrBase: dlrBase)
        default:
            throw SettingsError.invalid(
                key: "notifier.channel", reason: "'\(name)' is not one of spool, webhook, kannel")
        }
    }
}
