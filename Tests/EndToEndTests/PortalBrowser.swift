import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A browser without a browser, for Portail's security tests: keeps cookies, does not follow
/// redirects (the test looks at them), and posts forms.
final class PortalBrowser: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    let base: String
    private let lock = NSLock()
    private var cookies: [String: String] = [:]
    private lazy var session = URLSession(
        configuration: {
            let configuration = URLSessionConfiguration.ephemeral
            configuration.httpShouldSetCookies = false
            configuration.httpCookieAcceptPolicy = .never
            return configuration
        }(), delegate: self, delegateQueue: nil)

    init(base: String) { self.base = base }

    struct Page {
        let status: Int
        let headers: [String: String]
        let html: String

        var location: String? { headers["location"] }

        /// The value of a hidden input `name` in the page (a form's CSRF token).
        func hidden(_ name: String) -> String? {
            guard let range = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
            return String(html[range.upperBound...].prefix { $0 != "\"" })
        }
    }

    func get(_ path: String) async throws -> Page { try await send("GET", path, form: nil) }

    func post(_ path: String, _ form: [(String, String)], headers: [String: String] = [:]) async throws -> Page {
        try await send("POST", path, form: form, headers: headers)
    }

    /// Posts `fields` and one file as `multipart/form-data`, as a browser's file form does.
    func upload(
        _ path: String, _ fields: [(String, String)], file: (field: String, name: String, bytes: [UInt8]),
        contentType: String? = nil
    ) async throws -> Page {
        let boundary = "----passerelle\(UInt64.random(in: 0...UInt64.max))"
        var body: [UInt8] = []
        for (name, value) in fields {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
        }
        body += Array(
            ("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.field)\"; filename=\"\(file.name)\"\r\n"
                + "Content-Type: text/csv\r\n\r\n").utf8)
        body += file.bytes + Array("\r\n--\(boundary)--\r\n".utf8)
        return try await send(
            "POST", path, body: Data(body), contentType: contentType ?? "multipart/form-data; boundary=\(boundary)")
    }

    func cookie(_ name: String) -> String? { lock.withLock { cookies[name] } }
    func forget(_ name: String) { _ = lock.withLock { cookies.removeValue(forKey: name) } }
    func setCookie(_ name: String, _ value: String) { lock.withLock { cookies[name] = value } }

    private func send(
        _ method: String, _ path: String, form: [(String, String)]?, headers: [String: String] = [:]
    ) async throws -> Page {
        guard let form else { return try await send(method, path, body: nil, contentType: nil) }
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let body = Data(
            form.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }
                .joined(separator: "&").utf8)
        return try await send(
            method, path, body: body, contentType: "application/x-www-form-urlencoded", headers: headers)
    }

    private func send(
        _ method: String, _ path: String, body: Data?, contentType: String?, headers: [String: String] = [:]
    ) async throws -> Page {
        var request = URLRequest(url: URL(string: base + path)!, timeoutInterval: 30)
        request.httpMethod = method
        let jar = lock.withLock { cookies }
        if !jar.isEmpty {
            request.setValue(jar.map { "\($0.key)=\($0.value)" }.joined(separator: "; "), forHTTPHeaderField: "Cookie")
        }
        request.httpBody = body
        if let contentType { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await session.data(for: request)
        let http = response as! HTTPURLResponse
        var headers: [String: String] = [:]
        for (name, value) in http.allHeaderFields { headers["\(name)".lowercased()] = "\(value)" }
        let fields = http.allHeaderFields.reduce(into: [String: String]()) { $0["\($1.key)"] = "\($1.value)" }
        for cookie in HTTPCookie.cookies(withResponseHeaderFields: fields, for: URL(string: base)!) {
            lock.withLock {
                if cookie.value.isEmpty || (cookie.expiresDate.map { $0 < Date() } ?? false) {
                    cookies.removeValue(forKey: cookie.name)
                } else {
                    cookies[cookie.name] = cookie.value
                }
            }
        }
        return Page(status: http.statusCode, headers: headers, html: String(decoding: data, as: UTF8.self))
    }

    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}
