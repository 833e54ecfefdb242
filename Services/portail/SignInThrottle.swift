import Foundation
import Synchronization

/// Failed sign-ins per address: past `limit` failures within `window`, an address may not try
/// again until the window has passed, whatever the account. The per-account lockout stops
/// guessing one password; this stops one machine from trying a password on every account
/// (and from keeping the server busy with bcrypt). Kept in memory: a restart forgets it.
final class SignInThrottle: Sendable {
    let limit: Int
    let window: TimeInterval
    private let failures = Mutex<[String: [Date]]>([:])

    init(limit: Int, window: TimeInterval) {
        self.limit = limit
        self.window = window
    }

    /// When `address` may try again, or nil when it may now.
    func blockedUntil(_ address: String, now: Date = Date()) -> Date? {
        failures.withLock { table in
            let recent = (table[address] ?? []).filter { now.timeIntervalSince($0) < window }
            table[address] = recent.isEmpty ? nil : recent
            guard recent.count >= limit, let oldest = recent.first else { return nil }
            return oldest.addingTimeInterval(window)
        }
    }

    /// One more failure from `address`.
    func failed(_ address: String, now: Date = Date()) {
        failures.withLock { table in
            // Bounded memory: a flood from many addresses forgets the stalest first.
            if table.count >= 100_000 {
                table = table.filter { now.timeIntervalSince($0.value.last ?? .distantPast) < window }
            }
            var recent = (table[address] ?? []).filter { now.timeIntervalSince($0) < window }
            recent.append(now)
            table[address] = Array(recent.suffix(limit))
        }
    }
}
