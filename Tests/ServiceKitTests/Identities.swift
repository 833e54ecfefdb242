import ServiceKit

/// Identities as the services declare them, for settings tests that need realistic defaults.
extension ServiceIdentity {
    static let offerRegistry = ServiceIdentity(
        name: "offer-registry", defaultHTTP: "127.0.0.1:8081", defaultReplay: "tcp://127.0.0.1:7110")
    static let matcher = ServiceIdentity(
        name: "matcher", defaultHTTP: "127.0.0.1:8083", defaultReplay: "tcp://127.0.0.1:7130")
}

extension ServiceIdentity {
    static let notifier = ServiceIdentity(
        name: "notifier", defaultHTTP: "127.0.0.1:8084", defaultReplay: "tcp://127.0.0.1:7140")
}
