/// Who a process is on the bus, and its defaults from DESIGN.md's Interfaces table; each
/// service declares its own (`static let identity` of its command).
public struct ServiceIdentity: Sendable, Equatable {
    /// The executable and `source` name, e.g. `offer-registry`.
    public var name: String
    /// Default HTTP listen address (`host:port`), `nil` for a process without HTTP.
    public var defaultHTTP: String?
    /// Default replay endpoint this service binds, `nil` for one that publishes nothing.
    public var defaultReplay: String?

    public init(name: String, defaultHTTP: String? = nil, defaultReplay: String? = nil) {
        self.name = name
        self.defaultHTTP = defaultHTTP
        self.defaultReplay = defaultReplay
    }
}
