import Foundation

/// What compose/kannel/kannel.conf.in's placeholders stand for.
struct KannelSettings: Sendable {
    var adminPort: Int
    var smsboxPort: Int
    var fakesmscPort: Int
    var sendsmsPort: Int
    var adminPassword: String
    var username: String
    var password: String
    var secret: String
    var inboundURL: String
    var runDirectory: String

    var statusURL: String { "http://127.0.0.1:\(adminPort)/status.txt?password=\(adminPassword)" }

    /// The template with every `@NAME@` replaced; throws when one is left over.
    func render(_ template: String) throws -> String {
        let values: [String: String] = [
            "ADMIN_PORT": "\(adminPort)", "SMSBOX_PORT": "\(smsboxPort)", "FAKESMSC_PORT": "\(fakesmscPort)",
            "SENDSMS_PORT": "\(sendsmsPort)", "ADMIN_PASSWORD": adminPassword, "USERNAME": username,
            "PASSWORD": password, "SECRET": secret, "INBOUND_URL": inboundURL, "RUN_DIR": runDirectory,
        ]
        guard secret.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw KannelHarnessError.badSetting("the secret must be [A-Za-z0-9_-] (Kannel reads % in a URL)")
        }
        var text = template
        for (name, value) in values { text = text.replacingOccurrences(of: "@\(name)@", with: value) }
        if let left = text.split(separator: "\n").first(where: { !$0.hasPrefix("#") && $0.contains(/@[A-Z_]+@/) }) {
            throw KannelHarnessError.badSetting("a placeholder has no value: \(left)")
        }
        return text
    }
}

/// A TCP port on 127.0.0.1 that the kernel gives nobody else while this value lives, but that
/// a server binding with SO_REUSEADDR (Kannel does) may take: bound with SO_REUSEADDR, never
/// listening. See ``RunningKannel`` for why.
final class ReservedPort: Sendable {
    let port: Int
    private let descriptor: Int32

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var reuse: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(descriptor, generic, length) == 0 && getsockname(descriptor, generic, &length) == 0
            }
        }
        guard descriptor >= 0, bound else {
            if descriptor >= 0 { close(descriptor) }
            throw KannelHarnessError.badSetting("cannot bind 127.0.0.1:0: errno \(errno)")
        }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(descriptor) }
}
