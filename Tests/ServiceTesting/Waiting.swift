/// Polls `check` (every `interval`, up to `timeout`) until it returns a value; throws when
/// it never does, so that "nothing happened" can never pass for an answer.
public func waitUntil<T>(
    _ what: String, timeout: Duration = .seconds(30), interval: Duration = .milliseconds(50),
    _ check: () async throws -> T?
) async throws -> T {
    let deadline = ContinuousClock.now + timeout
    while true {
        if let value = try await check() { return value }
        guard ContinuousClock.now < deadline else { throw WaitTimedOut(what: what, after: timeout) }
        try await Task.sleep(for: interval)
    }
}

/// A condition polled with `waitUntil` that never held.
public struct WaitTimedOut: Error, CustomStringConvertible {
    public let what: String
    public let after: Duration
    public var description: String { "timed out after \(after) waiting for \(what)" }
}

/// `waitUntil` for a condition.
public func waitUntil(
    _ what: String, timeout: Duration = .seconds(30), interval: Duration = .milliseconds(50),
    _ check: () async throws -> Bool
) async throws {
    let _: Bool = try await waitUntil(what, timeout: timeout, interval: interval) { try await check() ? true : nil }
}
