import Bus
import Foundation
import Testing

/// A unique inproc endpoint per test, so tests can run in parallel.
func inprocEndpoint(_ name: String = #function) -> String {
    "inproc://\(name.filter(\.isLetter))-\(UUID().uuidString)"
}

@Suite("BusSocket: one thread per socket, bridged to async code")
struct SocketTests {
    @Test("a multipart message of any frame count and size arrives whole")
    func multipartAnySize() async throws {
        let endpoint = inprocEndpoint()
        let pull = try BusSocket(type: .pull, bind: [endpoint])
        let push = try BusSocket(type: .push, connect: [endpoint])
        let big = [UInt8](repeating: 0xAB, count: 10 * 1024 * 1024)
        let frames: [[UInt8]] = [Array("a".utf8), [], big, Array("end".utf8)]
        try await push.send(frames)
        let received = try await pull.receive()
        #expect(received == frames)
        await push.close()
        await pull.close()
    }

    @Test("messages keep their order through the send and receive queues")
    func orderIsKept() async throws {
        let endpoint = inprocEndpoint()
        let pull = try BusSocket(type: .pull, bind: [endpoint], receiveCapacity: 16)
        let push = try BusSocket(type: .push, connect: [endpoint], sendCapacity: 8)
        let count = 5_000
        async let sent: Void = {
            for index in 0..<count { try await push.send([Array("\(index)".utf8)]) }
        }()
        var next = 0
        while next < count, let frames = try await pull.receive() {
            #expect(String(decoding: frames[0], as: UTF8.self) == "\(next)")
            next += 1
        }
        try await sent
        #expect(next == count)
        await push.close()
        await pull.close()
    }

    @Test("receive returns nil once the socket is closed, and send throws")
    func closeEndsReceive() async throws {
        let socket = try BusSocket(type: .pull, bind: [inprocEndpoint()])
        async let waiting = socket.receive()
        try await Task.sleep(for: .milliseconds(20))
        await socket.close()
        #expect(try await waiting == nil)
        await #expect(throws: BusError.closed) { try await socket.send([[1]]) }
    }

    @Test("a cancelled receive ends with CancellationError and the socket stays usable")
    func cancelledReceive() async throws {
        let endpoint = inprocEndpoint()
        let pull = try BusSocket(type: .pull, bind: [endpoint])
        let push = try BusSocket(type: .push, connect: [endpoint])
        let waiter = Task { try await pull.receive() }
        try await Task.sleep(for: .milliseconds(20))
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        try await push.send([Array("after".utf8)])
        #expect(try await pull.receive() == [Array("after".utf8)])
        await push.close()
        await pull.close()
    }

    @Test("binding an endpoint in use names the endpoint and libzmq's reason")
    func bindErrorIsClear() throws {
        let endpoint = "tcp://127.0.0.1:*"
        let first = try BusSocket(type: .pull, bind: [endpoint])
        let taken = try #require(first.boundEndpoints.first)
        #expect(taken.hasPrefix("tcp://127.0.0.1:") && !taken.hasSuffix("*"))
        #expect {
            _ = try BusSocket(type: .pull, bind: [taken])
        } throws: { error in
            "\(error)".contains("bind \(taken)") && "\(error)".contains("Address already in use")
        }
    }

    @Test("a bad endpoint is refused at creation")
    func badEndpoint() {
        #expect(throws: BusError.self) { _ = try BusSocket(type: .sub, connect: ["nowhere"]) }
    }
}
