import Foundation
import Synchronization

/// What `GET /health` answers: an overall status and one entry per component check.
public struct HealthReport: Codable, Sendable, Equatable {
    /// `ok`: all is well; `degraded`: serving, but something needs a look (a replay behind,
    /// say); `down`: not serving its purpose.
    public enum Status: String, Codable, Sendable, Comparable {
        case ok, degraded, down

        var rank: Int { self == .ok ? 0 : self == .degraded ? 1 : 2 }
        public static func < (lhs: Status, rhs: Status) -> Bool { lhs.rank < rhs.rank }
    }

    public struct Check: Codable, Sendable, Equatable {
        public var status: Status
        public var detail: String
    }

    public var status: Status
    public var service: String
    public var uptimeSeconds: Int
    public var checks: [String: Check]
}

/// Collects the component checks a service reports; the worst decides the overall status.
public final class HealthChecks: Sendable {
    private let checks = Mutex<[String: HealthReport.Check]>([:])
    private let started = ContinuousClock.now
    let service: String

    public init(service: String) { self.service = service }

    /// Sets (or replaces) a component's status.
    public func report(_ component: String, _ status: HealthReport.Status, _ detail: String) {
        checks.withLock { $0[component] = HealthReport.Check(status: status, detail: detail) }
    }

    public var current: HealthReport {
        let checks = checks.withLock { $0 }
        let status = checks.values.map(\.status).max() ?? .ok
        let uptime = ContinuousClock.now - started
        return HealthReport(
            status: status, service: service, uptimeSeconds: Int(uptime.components.seconds), checks: checks)
    }
}
