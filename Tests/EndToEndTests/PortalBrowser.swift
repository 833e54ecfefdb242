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

    func post(_ path: String, _ form: [(String, String)]) async throws -> Page {
        try await send("POST", path, form: form)
    }

    func cookie(_ name: String) -> String? { lock.withLock { cookies[name] } }
    func forget(_ name: String) { _ = lock.withLock { cookies.removeValue(forKey: name) } }
    func setCookie(_ name: String, _ value: String) { lock.withLock { cookies[name] = value } }

    private func send(_ method: String, _ path: String, form: [(String, String)]?) async throws -> Page {
        var request = URLRequest(url: URL(string: base + path)!, timeoutInterval: 30)
        request.httpMethod = method
        let jar = lock.withLock { cookies }
        if !jar.isEmpty {
            request.setValue(jar.map { "\($0.key)=\($0.value)" }.joined(separator: "; "), forHTTPHeaderField: "Cookie")
        }
        if let form {
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            request.httpBody = Data(
                form.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }
                    .joined(separator: "&").utf8)
            request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        }
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
