import Foundation
import Synchronization

/// A file read again whenever it changes (its size, modification time or inode), so that
/// an operator's edit (a revoked key, a new ACL) takes effect without a restart.
///
/// `current(maxAge:)` looks at the file when its last look is older than `maxAge`; a file that cannot be
/// read or parsed leaves the last good value in place and reports the error once.
final class WatchedFile<Value: Sendable>: Sendable {
    let path: String
    private let parse: @Sendable (Data) throws -> Value
    private let onError: @Sendable (String) -> Void
    private struct Stamp: Equatable {
        var size: Int64
        var modified: Int64
        var inode: UInt64
    }
    private struct State {
        var stamp: Stamp?
        var value: Value
        var checked: ContinuousClock.Instant?
        var lastError: String?
    }
    private let state: Mutex<State>

    /// Reads the file now; throws if it cannot be read or parsed (a service refuses to start).
    init(
        path: String, onError: @escaping @Sendable (String) -> Void = { _ in },
        parse: @escaping @Sendable (Data) throws -> Value
    ) throws {
        self.path = path
        self.parse = parse
        self.onError = onError
        let stamp = Self.stamp(path)
        let value = try parse(try Data(contentsOf: URL(fileURLWithPath: path)))
        state = Mutex(State(stamp: stamp, value: value, checked: .now))
    }

    /// The value, read again first if the file changed. `maxAge` zero looks at the file
    /// every time (a handshake); the broker's per-message checks allow a second.
    func current(maxAge: Duration = .zero) -> Value {
        let now = ContinuousClock.now
        let due: Bool = state.withLock { state in
            guard let checked = state.checked, now - checked < maxAge else {
                state.checked = now
                return true
            }
            return false
        }
        guard due else { return state.withLock { $0.value } }
        let stamp = Self.stamp(path)
        if let value = state.withLock({ $0.stamp == stamp && stamp != nil ? $0.value : nil }) { return value }
        do {
            let value = try parse(try Data(contentsOf: URL(fileURLWithPath: path)))
            state.withLock { state in
                state.stamp = stamp
                state.value = value
                state.lastError = nil
            }
            return value
        } catch {
            let message = "\(path): \(error)"
            let report = state.withLock { state -> Bool in
                defer { state.lastError = message }
                return state.lastError != message
            }
            if report { onError(message) }
            return state.withLock { $0.value }
        }
    }

    private static func stamp(_ path: String) -> Stamp? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Stamp(
            size: Int64(info.st_size),
            modified: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec),
            inode: UInt64(info.st_ino))
    }
}
