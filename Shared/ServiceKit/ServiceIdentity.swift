/// Who a process is on the bus, and its defaults from DESIGN.md's Interfaces table.
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

    public static let busBroker = ServiceIdentity(name: "bus-broker", defaultHTTP: "127.0.0.1:8090")
    public static let busTap = ServiceIdentity(name: "bus-tap")
    public static let offerRegistry = ServiceIdentity(
        name: "offer-registry", defaultHTTP: "127.0.0.1:8081", defaultReplay: "tcp://127.0.0.1:7110")
    public static let candidateRegistry = ServiceIdentity(
        name: "candidate-registry", defaultHTTP: "127.0.0.1:8082", defaultReplay: "tcp://127.0.0.1:7120")
    public static let matcher = ServiceIdentity(
        name: "matcher", defaultHTTP: "127.0.0.1:8083", defaultReplay: "tcp://127.0.0.1:7130")
    public static let notifier = ServiceIdentity(
        name: "notifier", defaultHTTP: "127.0.0.1:8084", defaultReplay: "tcp://127.0.0.1:7140")
    public static let statistics = ServiceIdentity(name: "statistics", defaultHTTP: "127.0.0.1:8085")
}
