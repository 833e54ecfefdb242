import Bus
import Logging
import ServiceLifecycle

/// Runs an ``Inbox`` on a bus subscription until graceful shutdown.
public struct InboxConsumer: Service {
    let inbox: Inbox
    let subscriber: BusSubscriber
    let logger: Logger

    public init(inbox: Inbox, subscriber: BusSubscriber, logger: Logger) {
        self.inbox = inbox
        self.subscriber = subscriber
        self.logger = logger
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        while let batch = try await subscriber.nextBatch(max: 1_000) {
                            await inbox.receive(
                                batch.compactMap { if case .message(let message) = $0 { message } else { nil } })
                        }
                    }
                    group.addTask {
                        while true {
                            try await Task.sleep(for: .seconds(1))
                            await inbox.retryRepairs()
                        }
                    }
                    try await group.next()
                    group.cancelAll()
                }
            }
        } catch is CancellationError {}
        await subscriber.close()
    }
}
