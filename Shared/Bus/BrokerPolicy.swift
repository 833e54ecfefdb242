/// The rules an authenticated broker applies to each message and subscription, given the
/// ZAP identity of the connection it came on (DESIGN.md, "Security").
///
/// Both calls run on the broker's forwarding thread for every message: they must be quick
/// and must not block. An implementation counts and logs its own refusals (it knows the
/// identity and the reason); the broker only drops.
public protocol BrokerPolicy: Sendable {
    /// Why a publication must be dropped, or `nil` to forward it. `identity` is `nil` for a
    /// connection without ZAP (which an authenticated broker never accepts).
    func refusal(identity: String?, topic: UnsafeRawBufferPointer, envelope: UnsafeRawBufferPointer) -> String?

    /// The prefixes a subscription to `prefix` grants `identity`: `[prefix]` when it lies
    /// within what the identity may read, the readable prefixes that narrow it when it is
    /// broader (`""`, everything, becomes each readable stream), and none when refused.
    func grant(identity: String, prefix: [UInt8]) -> [[UInt8]]
}
