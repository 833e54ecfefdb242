import Foundation

/// An HTTP exchange written byte by byte on a TCP socket, for requests no HTTP client would
/// send: a body shorter than its Content-Length, a broken chunked encoding.
enum RawHTTP {
    /// Sends `request` to `base` (`http://127.0.0.1:PORT`), closes the sending side when
    /// `halfClose`, and returns what the server wrote until it closed or `timeout` passed.
    static func exchange(_ base: String, _ request: String, halfClose: Bool, timeout: Int = 10) throws -> String {
        let url = URL(string: base)!
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr(url.host!)
        address.sin_port = in_port_t(UInt16(url.port!).bigEndian)
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else { throw RawHTTPError.cannotConnect(base) }
        var wait = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        let bytes = Array(request.utf8)
        var sent = 0
        while sent < bytes.count {
            let written = bytes[sent...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, 0) }
            guard written > 0 else { break }
            sent += written
        }
        if halfClose { shutdown(descriptor, Int32(SHUT_WR)) }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            answer += buffer[0..<count]
        }
        return String(decoding: answer, as: UTF8.self)
    }
}

enum RawHTTPError: Error {
    case cannotConnect(String)
}
