import Foundation
import Messages
import ServiceTesting
import Testing

/// What a security probe sent the registries, and what they must answer.
@Suite("hostile input against the registries", .serialized, .timeLimit(.minutes(3)))
struct HostileInputTests {
    static func post(_ path: String, _ headers: String, _ body: String) -> String {
        let key = TestSecurity.isOn ? "Authorization: Bearer \(TestSecurity.keys.officer)\r\n" : ""
        return
            "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\(key)\(headers)\r\n\(body)"
    }

    @Test("a body cut short or badly chunked is 400 malformed-body; only a body over the limit is 413")
    func malformedBodies() async throws {
        let broker = try await RunningBroker.start()
        let registry = try await RunningService.start(
            "offer-registry", broker: broker, dataDirectory: scratchDirectory("hostile-bodies"))
        // Content-Length promises 500 bytes; 12 come, then the client stops sending.
        let short = try RawHTTP.exchange(
            registry.base, Self.post("/offers", "Content-Length: 500\r\n", #"{"title":"x""#), halfClose: true)
        #expect(short.hasPrefix("HTTP/1.1 400"), "\(short)")
        #expect(short.contains(#""code":"malformed-body""#), "\(short)")
        // A chunk size that is not hexadecimal.
        let chunked = try RawHTTP.exchange(
            registry.base,
            Self.post("/offers", "Transfer-Encoding: chunked\r\n", "5\r\n{\"a\":\r\nzz\r\n1}\r\n0\r\n\r\n"),
            halfClose: false)
        #expect(chunked.hasPrefix("HTTP/1.1 400"), "\(chunked)")
        #expect(chunked.contains(#""code":"malformed-body""#), "\(chunked)")
        // Chunks adding up to more than the limit are still 413.
        let chunk = String(repeating: "a", count: 0x10000)
        let large = String(repeating: "10000\r\n\(chunk)\r\n", count: 17) + "0\r\n\r\n"
        let tooLarge = try RawHTTP.exchange(
            registry.base, Self.post("/offers", "Transfer-Encoding: chunked\r\n", large), halfClose: false)
        #expect(tooLarge.hasPrefix("HTTP/1.1 413"), "\(tooLarge.prefix(300))")
        #expect(tooLarge.contains(#""code":"body-too-large""#), "\(tooLarge.prefix(300))")
        #expect(try await request("GET", registry.base + "/health").status == 200)
    }

    @Test("a wrong method on a known path is 405 with Allow and a JSON body; an unknown path is a JSON 404")
    func methods() async throws {
        let broker = try await RunningBroker.start()
        let offers = try await RunningService.start(
            "offer-registry", broker: broker, dataDirectory: scratchDirectory("hostile-offers"))
        let candidates = try await RunningService.start(
            "candidate-registry", broker: broker, dataDirectory: scratchDirectory("hostile-candidates"))
        let cases: [(String, String, String)] = [
            ("DELETE", offers.base + "/offers", "GET, POST"),
            ("PATCH", offers.base + "/offers/o-1", "GET, PUT"),
            ("GET", offers.base + "/offers/o-1/approve", "POST"),
            ("DELETE", candidates.base + "/candidates", "GET, POST"),
            ("PATCH", candidates.base + "/candidates/c-1", ""),
            ("POST", offers.base + "/health", "GET"),
            ("TRACE", offers.base + "/offers", "GET, POST"),
            ("QUERY", offers.base + "/offers/o-1", "GET, PUT"),
        ]
        for (method, url, allow) in cases {
            let result = try await request(method, url)
            #expect(result.status == 405, "\(method) \(url): \(result.text)")
            #expect(result.errorCode == "method-not-allowed", "\(method) \(url): \(result.text)")
            #expect((result.errorMessage ?? "").contains(" / "))
            if !allow.isEmpty { #expect(result.headers["allow"] == allow, "\(method) \(url)") }
            #expect(result.headers["allow"]?.contains(method) == false, "\(method) \(url)")
        }
        for url in [offers.base + "/nowhere", candidates.base + "/offers", offers.base + "/offers/o-1/nothing"] {
            let result = try await request("GET", url)
            #expect(result.status == 404, "\(url)")
            #expect(result.errorCode == "not-found", "\(url): \(result.text)")
        }
        // A handler's own 404 is untouched.
        let missing = try await request("GET", offers.base + "/offers/nope")
        #expect(missing.status == 404)
        #expect(missing.errorCode == "not-found")
        #expect(missing.errorMessage?.contains("nope") == true)
    }

    @Test("the duplicate check sees through fullwidth, Cyrillic and zero-width disguises of an employer")
    func disguisedEmployers() async throws {
        let broker = try await RunningBroker.start()
        let registry = try await RunningService.start(
            "offer-registry", broker: broker, dataDirectory: scratchDirectory("hostile-employers"))
        let first = try await request(
            "POST", registry.base + "/offers", json: sampleOffer(["employer.name": "ACME Ltd"]))
        #expect(first.status == 201)
        let id = try #require(first.json?["id"]?.string)
        #expect(first.json?["status"] == "open")
        for disguise in ["ＡＣＭＥ  ltd", "AСME Ltd", "AC\u{200B}ME Ltd", "acme, ltd."] {
            let copy = try await request(
                "POST", registry.base + "/offers",
                json: sampleOffer(["employer.name": .string(disguise), "title": .string("Copie \(disguise)")]))
            #expect(copy.status == 201, "\(disguise): \(copy.text)")
            #expect(copy.json?["flags"] == .array([.string("duplicate:\(id)")]), "\(disguise): \(copy.text)")
        }
        let other = try await request(
            "POST", registry.base + "/offers", json: sampleOffer(["employer.name": "ACME Holdings"]))
        #expect(other.json?["flags"] == [], "\(other.text)")
    }
}
