import Foundation
import ServiceTesting
import Synchronization

/// An HTTP/1.1 server on 127.0.0.1, on a port the kernel chooses, that answers every request
/// `200 OK` with an empty body and keeps it: what the Kannel tests put where the notifier's
/// `/inbound/sms` and a delivery-report URL will be. Blocking sockets, each on a thread of
/// its own (Kannel keeps its connections alive and may open several).
final class RecordingServer: Sendable {
    /// One request as it arrived.
    struct Request: Sendable, CustomStringConvertible {
        var method: String
        /// Path and query, as sent: `/inbound/sms?from=%2B336…`.
        var target: String
        /// Header names in lower case.
        var headers: [String: String]
        var body: [UInt8]

        var path: String { String(target.prefix { $0 != "?" }) }

        /// The query's fields, decoded as a form (`+` is a space); the last of a repeated name.
        var query: [String: String] {
            guard let start = target.firstIndex(of: "?") else { return [:] }
            var fields: [String: String] = [:]
            for pair in target[target.index(after: start)...].split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let value = parts.count > 1 ? String(parts[1]) : ""
                fields[String(decoding: urlDecodedBytes(String(parts[0])), as: UTF8.self)] =
                    String(decoding: urlDecodedBytes(value), as: UTF8.self)
            }
            return fields
        }

        var description: String { "\(method) \(target)" }
    }

    let port: Int
    private let state: RecordingState

    /// `http://127.0.0.1:PORT`
    var url: String { "http://127.0.0.1:\(port)" }

    /// - Parameter port: 0 for one the kernel chooses; or a port the test holds with a
    ///   ``ReservedPort`` (both reuse addresses), for a server that comes up late.
    init(port requested: Int = 0) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var reuse: Int32 = 1
        if requested != 0 {
            setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(requested).bigEndian)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let listening = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(listener, generic, length) == 0 && getsockname(listener, generic, &length) == 0
                    && listen(listener, 16) == 0
            }
        }
        guard listener >= 0, listening else {
            if listener >= 0 { close(listener) }
            throw KannelHarnessError.badSetting("the recording server cannot listen on 127.0.0.1:0")
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        state = RecordingState(listener: listener)
        let state = state
        Thread { state.acceptConnections() }.start()
    }

    /// Every request so far, in the order they were read.
    var requests: [Request] { state.requests }

    /// Waits (bounded) until `count` requests matching `filter` have arrived; returns them.
    func waitForRequests(
        count: Int, timeout: Duration = .seconds(30), where filter: (Request) -> Bool = { _ in true }
    ) async throws -> [Request] {
        do {
            return try await waitUntil("\(count) requests at \(url)", timeout: timeout) {
                let matching = requests.filter(filter)
                return matching.count >= count ? matching : nil
            }
        } catch HarnessError.timedOut(let what, _) {
            throw HarnessError.timedOut(waitingFor: what, last: "\(requests)")
        }
    }

    deinit { state.shutDown() }
}

/// What the server's threads share; they hold this, never the server, so that letting go of
/// the server shuts them down.
private final class RecordingState: Sendable {
    private let listener: Int32
    private let shared = Mutex((requests: [RecordingServer.Request](), connections: Set<Int32>(), stopped: false))

    init(listener: Int32) { self.listener = listener }

    var requests: [RecordingServer.Request] { shared.withLock { $0.requests } }

    /// Wakes every blocked accept and read; each thread closes its own descriptor.
    func shutDown() {
        shared.withLock { shared in
            shared.stopped = true
            for connection in shared.connections { shutdown(connection, Int32(SHUT_RDWR)) }
        }
        shutdown(listener, Int32(SHUT_RDWR))
    }

    func acceptConnections() {
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                break
            }
            let open = shared.withLock { shared in
                guard !shared.stopped else { return false }
                shared.connections.insert(connection)
                return true
            }
            guard open else {
                close(connection)
                break
            }
            Thread { self.serve(connection) }.start()
        }
        close(listener)
    }

    /// Reads requests (head, then a body of Content-Length bytes) and answers each.
    private func serve(_ connection: Int32) {
        var input: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        let endOfHead = Array("\r\n\r\n".utf8)
        reading: while true {
            while let headEnd = input.firstRange(of: endOfHead) {
                let head = String(decoding: input[..<headEnd.lowerBound], as: UTF8.self)
                var lines = head.components(separatedBy: "\r\n")
                let requestLine = lines.removeFirst().split(separator: " ")
                var headers: [String: String] = [:]
                for line in lines {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers[line[..<colon].lowercased()] = line[line.index(after: colon)...]
                        .trimmingCharacters(in: .whitespaces)
                }
                let length = Int(headers["content-length"] ?? "0") ?? 0
                guard input.count >= headEnd.upperBound + length else { break }
                let request = RecordingServer.Request(
                    method: requestLine.first.map(String.init) ?? "",
                    target: requestLine.dropFirst().first.map(String.init) ?? "",
                    headers: headers, body: Array(input[headEnd.upperBound..<headEnd.upperBound + length]))
                input.removeFirst(headEnd.upperBound + length)
                shared.withLock { $0.requests.append(request) }
                let answer = Array("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n\r\n".utf8)
                guard
                    answer.withUnsafeBytes({ send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) })
                        == answer.count
                else { break reading }
            }
            let count = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            input += buffer[0..<count]
        }
        shared.withLock { _ = $0.connections.remove(connection) }
        close(connection)
    }
}
