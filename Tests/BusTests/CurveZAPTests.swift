import Foundation
import Synchronization
import Testing

@testable import Bus

/// A CURVE ROUTER whose handshakes the ZAP handler of its own context decides, so that
/// tests running in parallel never share a handler or a domain.
private struct ZAPServer {
    let context = BusContext()
    let handler: ZAPHandler
    let keys: CurveKeyPair
    let domain = "test-\(UUID().uuidString)"
    let socket: BusSocket
    let endpoint: String

    init(allowing allowed: [String: String]? = nil) throws {
        handler = try ZAPHandler.shared(for: context)
        keys = try CurveKeyPair.generate()
        if let allowed {
            handler.register(domain: domain) { request in
                allowed[request.publicKey].map { .allow(identity: $0) } ?? .deny(reason: "unknown key")
            }
        }
        var options = SocketOptions()
        options.curve = .server(keys: keys)
        options.zapDomain = domain
        socket = try BusSocket(
            type: .router, options: options, bind: ["tcp://127.0.0.1:*"], context: context, capturesIdentity: true)
        endpoint = try #require(socket.boundEndpoints.first)
    }

    /// A DEALER that connects with `keys` (plain text when nil), expecting `serverKey`
    /// (the server's real key unless given), and sends `text` at once.
    func client(_ keys: CurveKeyPair?, serverKey: String? = nil, sends text: String) async throws -> BusSocket {
        var options = SocketOptions()
        options.lingerMilliseconds = 0
        if let keys { options.curve = .client(keys: keys, serverKey: serverKey ?? self.keys.publicKey) }
        let dealer = try BusSocket(type: .dealer, options: options, connect: [endpoint], context: context)
        try await dealer.send([Array(text.utf8)])
        return dealer
    }

    /// (identity, text) of every message received until `window` passes with nothing new;
    /// the first may take up to `first` (a handshake on a loaded machine).
    func received(first: Duration = .seconds(1), quietFor window: Duration = .seconds(1)) async throws -> [Received] {
        var all: [Received] = []
        while let (identity, frames) = try await nextMessage(within: all.isEmpty ? first : window) {
            // A ROUTER prefixes the sender's routing id; the payload follows.
            all.append(
                Received(identity: identity, text: frames.dropFirst().map { String(decoding: $0, as: UTF8.self) }))
        }
        return all
    }

    private func nextMessage(within window: Duration) async throws -> (String?, [[UInt8]])? {
        let socket = socket
        return try await withThrowingTaskGroup(of: (String?, [[UInt8]])?.self) { group in
            group.addTask { try await socket.receiveIdentified() }
            group.addTask {
                try await Task.sleep(for: window)
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
    }

    struct Received: Equatable {
        var identity: String?
        var text: [String]
    }
}

@Suite("CURVE with ZAP: only listed keys get a message through, each tagged with its identity", .timeLimit(.minutes(1)))
struct CurveZAPTests {
    @Test("alice's key is let in as 'alice'; an unknown key, plain text and a wrong server key never are")
    func onlyTheListedKeyIsHeard() async throws {
        let alice = try CurveKeyPair.generate()
        let server = try ZAPServer(allowing: [alice.publicKey: "alice"])
        let intruders = [
            try await server.client(try .generate(), sends: "unknown key"),
            try await server.client(nil, sends: "no CURVE at all"),
            try await server.client(alice, serverKey: try CurveKeyPair.generate().publicKey, sends: "wrong server"),
        ]
        let friend = try await server.client(alice, sends: "hello")

        // Whatever arrives within a quiet second after the last message: alice's, alone.
        #expect(try await server.received(first: .seconds(10)) == [.init(identity: "alice", text: ["hello"])])
        #expect(server.handler.accepted.load(ordering: .relaxed) == 1)
        #expect(server.handler.refused.load(ordering: .relaxed) >= 1, "the unknown key reached ZAP and was refused")
        for socket in intruders + [friend] { await socket.close() }
        await server.socket.close()
    }

    @Test("a domain with no authorizer refuses everyone, even a key that is valid elsewhere")
    func domainWithoutAuthorizer() async throws {
        let server = try ZAPServer(allowing: nil)
        let client = try await server.client(try .generate(), sends: "let me in")
        #expect(try await server.received().isEmpty)
        #expect(server.handler.refused.load(ordering: .relaxed) >= 1)
        #expect(server.handler.accepted.load(ordering: .relaxed) == 0)
        await client.close()
        await server.socket.close()
    }

    @Test("unregistering the domain refuses the next connection of a key that was let in before")
    func unregisterRefusesNextConnection() async throws {
        let alice = try CurveKeyPair.generate()
        let server = try ZAPServer(allowing: [alice.publicKey: "alice"])
        let first = try await server.client(alice, sends: "before")
        #expect(try await server.received(first: .seconds(10)) == [.init(identity: "alice", text: ["before"])])

        server.handler.unregister(domain: server.domain)
        let refusedBefore = server.handler.refused.load(ordering: .relaxed)
        let second = try await server.client(alice, sends: "after")
        #expect(try await server.received().isEmpty)
        #expect(server.handler.refused.load(ordering: .relaxed) > refusedBefore)
        await first.close()
        await second.close()
        await server.socket.close()
    }

    @Test("the handler answers a malformed or non-CURVE request with 400 and no user id")
    func malformedRequests() throws {
        let handler = try ZAPHandler.shared(for: BusContext())
        handler.register(domain: "d") { _ in .allow(identity: "anyone") }
        let plain = handler.answer([Array("1.0".utf8), [7], Array("d".utf8), [], [], Array("NULL".utf8)])
        #expect(plain[2] == Array("400".utf8) && plain[4].isEmpty)
        let garbage = handler.answer([Array("9.9".utf8)])
        #expect(garbage[2] == Array("400".utf8) && garbage[4].isEmpty)
        let curve = handler.answer([
            Array("1.0".utf8), [7], Array("d".utf8), [], [], Array("CURVE".utf8), [UInt8](repeating: 1, count: 32),
        ])
        #expect(curve[1] == [7] && curve[2] == Array("200".utf8) && curve[4] == Array("anyone".utf8))
    }
}
