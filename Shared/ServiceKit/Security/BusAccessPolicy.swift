import Bus
import Logging
import Messages
import Synchronization

/// The broker's rules on an authenticated bus (DESIGN.md, "Security"):
///
/// - a message is forwarded only if its sender's key is still listed, its topic is one the
///   sender's identity may publish, and its envelope's `source` is that identity (a forged
///   `offer.published` or `candidate.erased` never reaches a subscriber, and a forged seq
///   cannot make a reader skip a real event);
/// - a subscription gets only the prefixes the identity may read.
///
/// Refusals are counted per identity and reason (for `/metrics`) and logged at most once
/// per second per identity.
public final class BusAccessPolicy: BrokerPolicy {
    let security: BusSecurity
    private let refusals = Mutex<[Refusal: Int]>([:])

    /// One kind of refusal, as `/metrics` labels it.
    public struct Refusal: Hashable, Sendable {
        public var identity: String
        public var reason: Reason
    }

    public enum Reason: String, Sendable, CaseIterable {
        case unknownIdentity = "unknown-identity"
        case topicNotAllowed = "topic-not-allowed"
        case forgedSource = "forged-source"
        case malformedEnvelope = "malformed-envelope"
        case subscriptionNotAllowed = "subscription-not-allowed"
    }

    public init(security: BusSecurity) { self.security = security }

    public func refusal(
        identity: String?, topic: UnsafeRawBufferPointer, envelope: UnsafeRawBufferPointer
    ) -> String? {
        guard let identity, security.isAuthorized(identity, maxAge: .seconds(1)) else {
            return refuse(identity ?? "(none)", .unknownIdentity, "the sender's key is not (or no longer) listed")
        }
        let topicText = String(decoding: topic, as: UTF8.self)
        guard security.accessControl(maxAge: .seconds(1)).mayPublish(identity, topic: topicText) else {
            return refuse(identity, .topicNotAllowed, "\(identity) may not publish \(topicText)")
        }
        let source: String?
        do {
            source = try StrictJSON.topLevelString("source", in: envelope)
        } catch {
            return refuse(identity, .malformedEnvelope, "\(topicText): \(error)")
        }
        guard source == identity else {
            return refuse(identity, .forgedSource, "\(topicText) claims source \(source ?? "(none)")")
        }
        return nil
    }

    public func grant(identity: String, prefix: [UInt8]) -> [[UInt8]] {
        guard security.isAuthorized(identity, maxAge: .seconds(1)) else {
            _ = refuse(identity, .unknownIdentity, "subscription from a key no longer listed")
            return []
        }
        let text = String(decoding: prefix, as: UTF8.self)
        let granted = security.accessControl(maxAge: .seconds(1)).grant(identity, prefix: text)
        if granted.isEmpty {
            _ = refuse(identity, .subscriptionNotAllowed, "\(identity) may not read '\(text)'")
        } else if granted != [text] {
            security.logRefusal(
                identity: identity, reason: "subscription narrowed",
                detail: ["asked": "'\(text)'", "granted": "\(granted.joined(separator: " "))"])
        }
        return granted.map { Array($0.utf8) }
    }

    /// Refusals so far, per identity and reason.
    public var counts: [Refusal: Int] { refusals.withLock { $0 } }

    private func refuse(_ identity: String, _ reason: Reason, _ detail: String) -> String {
        refusals.withLock { $0[Refusal(identity: identity, reason: reason), default: 0] += 1 }
        security.logRefusal(identity: identity, reason: reason.rawValue, detail: ["detail": "\(detail)"])
        return reason.rawValue
    }
}
