import Bus
import Foundation
import Logging
import ServiceKit
import ServiceLifecycle
import Synchronization
import Testing

@Suite("BusConsumer: a service's subscription loop", .timeLimit(.minutes(1)))
struct BusConsumerTests {
    @Test("it hands good messages to the handler, survives a failing handler and garbage, and stops on shutdown")
    func consumes() async throws {
        let endpoint = "inproc://consumer-\(UUID().uuidString)"
        let publisher = try BusSocket(type: .xpub, bind: [endpoint])
        let subscriber = try BusSubscriber(connect: [endpoint], prefixes: ["offer."])
        let seen = Mutex<[String]>([])
        let consumer = BusConsumer(subscriber: subscriber, logger: Logger(label: "test")) { message in
            let body = String(decoding: message.envelope, as: UTF8.self)
            seen.withLock { $0.append(body) }
            if body == "fail" { throw HandlerFailure() }
        }
        let group = ServiceGroup(services: [consumer], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            _ = try await publisher.receive()  // the consumer's subscription arrived
            try await publisher.send([Array("offer.a".utf8), Array("first".utf8)])
            try await publisher.send([Array("offer.b".utf8), Array("fail".utf8)])
            try await publisher.send([Array("offer.garbage".utf8)])
            try await publisher.send([Array("offer.c".utf8), Array("last".utf8)])
            let deadline = ContinuousClock.now + .seconds(5)
            while seen.withLock({ $0.count }) < 3, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(5))
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(seen.withLock { $0 } == ["first", "fail", "last"])
        await publisher.close()
    }
}

struct HandlerFailure: Error {}
