/// Who a process is on the bus, and its defaults from DESIGN.md's Interfaces table; each
/// service declares its own (`static let identity` of its command).
public struct ServiceIdentity: Sendable, Equatable {
    /// The executable and `source` name, e.g. `offer-registry`.
    public var name: String
    /// Default HTTP listen address (`host:port`), `nil` for a process without HTTP.
    public var defaultHTTP: String?
    /// Default replay endpoint this service binds, `nil` for one that publishes nothing.
    public var defaultReplay: String?
    /// The service's OpenAPI 3.1 document (YAML, UTF-8), served at `GET /openapi.yaml`: the
    /// `openapi.yaml` beside its sources, embedded in the executable by SwiftPM
    /// (`.embedInCode`, read as `PackageResources.openapi_yaml`); `nil` for a process without one.
    public var openAPI: [UInt8]?

    public init(name: String, defaultHTTP: String? = nil, defaultReplay: String? = nil, openAPI: [UInt8]? = nil) {
        self.name = name
        self.defaultHTTP = defaultHTTP
        self.defaultReplay = defaultReplay
        self.openAPI = openAPI
    }
}
