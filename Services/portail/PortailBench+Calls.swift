import AsyncHTTPClient
import Foundation
import Messages
import NIOCore
import NIOFoundationEssentialsCompat
import NIOHTTP1

/// The owners' APIs as Portail sees them: their URLs and Portail's `portal` key.
struct BenchOwners: Sendable {
    let offers: String
    let candidates: String
    let matches: String
    /// `PASSERELLE_PORTAIL_API_KEY`, as Portail reads it; nil when the owners run without security.
    let apiKey: String?
}

/// One GET to an owner: its base URL and its path with the query.
struct OwnerCall: Sendable {
    let base: String
    let path: String
}

/// The pages measured.
enum BenchPage: String, CaseIterable, Sendable {
    case offers = "GET /offres"
    case matches = "GET /offres/{id}/candidats"
}

extension BenchPage {
    /// THE YARDSTICK: the owners' calls a page makes, in its order, and nothing else. This
    /// mirrors the handlers of `router.get("/offres")` in OfferPages.swift (the first page, no
    /// filter: one listing of the registry) and `MatchPages.page` in MatchPages.swift for the
    /// first page, no filter (the offer, the matcher's first 50 matches, then their names in one
    /// call, none when the page is empty). When either page changes the calls it makes, change
    /// them here too. `ranked` is the candidate ids of the matches page, in its order, read once
    /// before timing (the page gets them from its `/matches` answer; the yardstick is the calls,
    /// not their decoding).
    func ownerCalls(_ owners: BenchOwners, offer: String, ranked: [String]) -> [OwnerCall] {
        switch self {
        case .offers:
            return [OwnerCall(base: owners.offers, path: "/offers?limit=\(OfferPages.pageSize)&offset=0")]
        case .matches:
            let listing = MatchPages.Listing(page: nil, filter: nil)
            var calls = [
                OwnerCall(base: owners.offers, path: "/offers/\(Pages.segment(offer))"),
                OwnerCall(base: owners.matches, path: listing.owner(offer, limit: MatchPages.pageSize, offset: 0)),
            ]
            if !ranked.isEmpty {
                let ids = ranked.joined(separator: ",")
                calls.append(
                    OwnerCall(
                        base: owners.candidates,
                        path: "/candidates?limit=\(MatchPages.pageSize)&ids=\(Pages.segment(ids))"))
            }
            return calls
        }
    }

    /// This page's path for `offer` (an id, as the list links to it).
    func path(offer: String) -> String {
        switch self {
        case .offers: "/offres"
        case .matches: "/offres/\(Pages.segment(offer))/candidats"
        }
    }
}

/// A stopped benchmark: what went wrong, and what to do.
struct PortailBenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A browser without a browser: one AsyncHTTPClient (redirects not followed: the sign-in's
/// 303 carries the session cookie), Portail's session cookie once signed in, and the owners'
/// calls with the headers Portail sends (`OwnerClient.send`).
struct BenchHTTP: Sendable {
    let client: HTTPClient
    let portail: String
    let owners: BenchOwners
    let officer: String
    var session = ""

    struct Answer: Sendable {
        let status: UInt
        let headers: HTTPHeaders
        let body: ByteBuffer

        var text: String { String(buffer: body) }

        /// `name`'s value among the answer's Set-Cookie headers.
        func cookie(_ name: String) -> String? {
            for field in headers["set-cookie"] {
                let pair = field.prefix { $0 != ";" }
                if pair.hasPrefix(name + "=") { return String(pair.dropFirst(name.count + 1)) }
            }
            return nil
        }
    }

    static func client() -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func send(
        _ url: String, method: HTTPMethod = .GET, headers: [(String, String)], body: String? = nil
    ) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        do {
            let response = try await client.execute(request, timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 16 << 20)
            return Answer(status: response.status.code, headers: response.headers, body: body)
        } catch {
            throw PortailBenchFailure("\(method) \(url): no answer (\(error))")
        }
    }

    /// A page of Portail as the signed-in officer's browser asks for it; anything but 200 stops.
    @discardableResult
    func page(_ path: String) async throws -> Answer {
        let answer = try await send(portail + path, headers: [("Cookie", "passerelle_session=\(session)")])
        guard answer.status == 200 else {
            throw PortailBenchFailure(
                "GET \(portail)\(path) answered \(answer.status) \(answer.headers["location"].first ?? "")"
                    + " \(answer.text.prefix(300))")
        }
        return answer
    }

    /// An owner's answer to Portail's headers, as `OwnerClient.send` makes them; anything but 200 stops.
    @discardableResult
    func owner(_ call: OwnerCall) async throws -> Answer {
        var headers: [(String, String)] = []
        if let key = owners.apiKey { headers.append(("Authorization", "Bearer \(key)")) }
        headers.append(("X-Passerelle-Officer", officer))
        let answer = try await send(call.base + call.path, headers: headers)
        guard answer.status == 200 else {
            throw PortailBenchFailure(
                "GET \(call.base)\(call.path) answered \(answer.status): \(answer.text.prefix(300))")
        }
        return answer
    }

    /// An open path of Portail (no session read), e.g. `/health`.
    @discardableResult
    func open(_ path: String) async throws -> Answer {
        let answer = try await send(portail + path, headers: [])
        guard answer.status == 200 else { throw PortailBenchFailure("GET \(portail)\(path) answered \(answer.status)") }
        return answer
    }

    /// Signs in as a browser does: the form (its token, also in a cookie), then the form posted
    /// back; keeps the session cookie of the 303.
    mutating func signIn(password: String) async throws {
        let form = try await send(portail + "/connexion", headers: [])
        guard form.status == 200, let token = form.cookie(CSRF.cookie),
            let range = form.text.range(of: "name=\"\(CSRF.field)\" value=\"")
        else { throw PortailBenchFailure("GET \(portail)/connexion: no sign-in form (\(form.status))") }
        let hidden = String(form.text[range.upperBound...].prefix { $0 != "\"" })
        let fields = [("identifiant", officer), ("mot_de_passe", password), (CSRF.field, hidden), ("suite", "/")]
        let signedIn = try await send(
            portail + "/connexion", method: .POST,
            headers: [
                ("Cookie", "\(CSRF.cookie)=\(token)"), ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            body: fields.map { "\($0.0)=\(Pages.segment($0.1))" }.joined(separator: "&"))
        guard signedIn.status == 303, let session = signedIn.cookie("passerelle_session") else {
            throw PortailBenchFailure(
                "signing in as --username \(officer) failed (\(signedIn.status)): wrong user name or password, "
                    + "or a locked account")
        }
        self.session = session
    }
}

/// The owners' answers decoded as the pages decode them (their own types, Foundation's
/// JSONDecoder): what reading them costs, timed in-process.
enum OwnerBodies {
    /// Decodes the answers to `page`'s calls (in its order) with the page's types.
    static func decode(_ page: BenchPage, _ bodies: [ByteBuffer]) throws {
        let decoder = JSONDecoder()
        for (index, body) in bodies.enumerated() {
            let data = Data(buffer: body)
            switch (page, index) {
            case (.offers, _): _ = try decoder.decode(OfferPages.Listing.self, from: data)
            case (.matches, 0): _ = try decoder.decode(Offer.self, from: data)
            case (.matches, 1): _ = try decoder.decode(MatchPages.MatchList.self, from: data)
            case (.matches, _): _ = try decoder.decode(MatchPages.Names.self, from: data)
            }
        }
    }
}
