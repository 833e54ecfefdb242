import Bus
import Testing

@Suite("CURVE: keys and an encrypted link")
struct CurveTests {
    @Test("libzmq here has CURVE, and a generated key pair is consistent")
    func keyPair() throws {
        #expect(BusContext.has("curve"))
        let pair = try CurveKeyPair.generate()
        #expect(pair.publicKey.count == 40 && pair.secretKey.count == 40)
        #expect(try CurveKeyPair.publicKey(forSecret: pair.secretKey) == pair.publicKey)
    }

    @Test("a malformed key is refused with its name and length")
    func badKey() {
        #expect(throws: BusError.invalidKey(reason: "publicKey must be 40 Z85 characters, got 3 characters")) {
            _ = try CurveKeyPair(publicKey: "abc", secretKey: String(repeating: "a", count: 40))
        }
    }

    @Test("a client that knows the server key talks; one that does not is never delivered")
    func encryptedLink() async throws {
        let server = try CurveKeyPair.generate()
        var serverOptions = SocketOptions()
        serverOptions.curve = .server(keys: server)
        let pull = try BusSocket(type: .pull, options: serverOptions, bind: ["tcp://127.0.0.1:*"])
        let endpoint = try #require(pull.boundEndpoints.first)

        var wrongOptions = SocketOptions()
        wrongOptions.curve = .client(keys: try .generate(), serverKey: try CurveKeyPair.generate().publicKey)
        let intruder = try BusSocket(type: .push, options: wrongOptions, connect: [endpoint])
        try await intruder.send([Array("intruder".utf8)])

        var clientOptions = SocketOptions()
        clientOptions.curve = .client(keys: try .generate(), serverKey: server.publicKey)
        let push = try BusSocket(type: .push, options: clientOptions, connect: [endpoint])
        try await push.send([Array("secret".utf8)])

        #expect(try await pull.receive() == [Array("secret".utf8)])
        await intruder.close()
        await push.close()
        await pull.close()
    }
}
