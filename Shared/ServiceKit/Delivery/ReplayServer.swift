import Bus
import Logging
import Messages
import ServiceLifecycle

/// Serves this service's outbox on its replay endpoint (ROUTER): any subscriber can ask for
/// stream S from seq N, in bounded batches. Bad requests are answered with an error and
/// logged; the server keeps serving.
public struct ReplayServer: Service {
    let database: ServiceDatabase
    let socket: BusSocket
    let logger: Logger

    /// Binds `endpoint` at once (so a bad endpoint fails at start-up, not later).
    public init(
        database: ServiceDatabase, endpoint: String, options: SocketOptions = SocketOptions(), logger: Logger
    )
        throws
    {
        self.database = database
        self.socket = try BusSocket(type: .router, options: options, bind: [endpoint])
        self.logger = logger
    }

    /// The bound endpoint, wildcard port resolved.
    public var endpoint: String { socket.boundEndpoints.first ?? "" }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while let frames = try await socket.receive() {
                    guard frames.count >= 2 else { continue }  // ROUTER always prefixes the peer id
                    let reply = await answer(frames[1...].map { $0 })
                    try await socket.send([frames[0]] + reply)
                }
            }
        } catch is CancellationError {}
        await socket.close()
    }

    func answer(_ request: [[UInt8]]) async -> [[UInt8]] {
        func refuse(_ reason: String, id: String? = nil) -> [[UInt8]] {
            logger.warning("refused a replay request", metadata: ["reason": "\(reason)"])
            return [ReplayProtocol.encode(ReplayProtocol.Header(request: id, error: reason))]
        }
        guard request.count == 1 else { return refuse("a request is one frame, got \(request.count)") }
        let parsed: ReplayProtocol.Request
        do {
            parsed = try CanonicalJSON.decode(ReplayProtocol.Request.self, from: request[0])
        } catch {
            return refuse("\(error)")
        }
        guard parsed.from >= 1 else { return refuse("field 'from' must be at least 1", id: parsed.request) }
        guard parsed.limit >= 1 else { return refuse("field 'limit' must be at least 1", id: parsed.request) }
        let limit = min(parsed.limit, ReplayProtocol.maximumBatch)
        do {
            let (rows, latest) = try await database.pool.read { db in
                (
                    try Outbox.messages(stream: parsed.stream, from: parsed.from, limit: limit, db),
                    try Outbox.latest(stream: parsed.stream, db)
                )
            }
            let header = ReplayProtocol.Header(
                request: parsed.request, stream: parsed.stream, from: parsed.from, count: rows.count, latest: latest)
            var frames = [ReplayProtocol.encode(header)]
            for row in rows {
                frames.append(Array(row.topic.utf8))
                frames.append(row.envelope)
            }
            return frames
        } catch {
            logger.error("replay read failed", metadata: ["error": "\(error)"])
            return refuse("the store could not be read; try again", id: parsed.request)
        }
    }
}
