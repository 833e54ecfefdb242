import Bus
import GRDB
import Logging
import Messages
import Prometheus
import ServiceLifecycle

/// Serves this service's outbox on its replay endpoint (ROUTER): any subscriber can ask for
/// stream S from seq N, in bounded batches. Bad requests are answered with an error and
/// logged; the server keeps serving.
public struct ReplayServer: Service {
    let database: ServiceDatabase
    let socket: BusSocket
    let logger: Logger
    let security: BusSecurity?
    let metrics: ServiceMetrics?

    /// Binds `endpoint` at once (so a bad endpoint fails at start-up, not later). With
    /// `security`, only listed keys connect (CURVE and ZAP) and each request is served only
    /// if the ACL lets the requester read that stream.
    public init(
        database: ServiceDatabase, endpoint: String, options: SocketOptions = SocketOptions(),
        security: BusSecurity? = nil, metrics: ServiceMetrics? = nil, logger: Logger
    )
        throws
    {
        self.metrics = metrics
        self.database = database
        self.security = security
        let options = try security?.serverOptions(options, domain: "replay") ?? options
        self.socket = try BusSocket(type: .router, options: options, bind: [endpoint], capturesIdentity: true)
        self.logger = logger
    }

    /// The bound endpoint, wildcard port resolved.
    public var endpoint: String { socket.boundEndpoints.first ?? "" }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while let (identity, frames) = try await socket.receiveIdentified() {
                    guard frames.count >= 2 else { continue }  // ROUTER always prefixes the peer id
                    let reply = await answer(frames[1...].map { $0 }, from: identity)
                    try await socket.send([frames[0]] + reply)
                }
            }
        } catch is CancellationError {}
        await socket.close()
    }

    func answer(_ request: [[UInt8]], from identity: String? = nil) async -> [[UInt8]] {
        func refuse(_ reason: String, id: String? = nil) -> [[UInt8]] {
            count(stream: nil, "refused")
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
        if let security {
            // The same read rights as at the broker: the matcher's key gets no `contact.`.
            guard let identity, security.isAuthorized(identity),
                security.accessControl().mayRead(identity, stream: parsed.stream)
            else {
                security.logRefusal(
                    identity: identity ?? "(none)", reason: "replay of a stream it may not read",
                    detail: ["stream": "\(parsed.stream)"])
                return refuse("\(identity ?? "this key") may not read stream \(parsed.stream)", id: parsed.request)
            }
        }
        let limit = min(parsed.limit, ReplayProtocol.maximumBatch)
        do {
            // One snapshot: the rows, the newest seq and the history start agree.
            let (rows, latest, first) = try await database.pool.read { db in
                (
                    try Outbox.messages(stream: parsed.stream, from: parsed.from, limit: limit, db),
                    try Outbox.latest(stream: parsed.stream, db),
                    try Outbox.first(stream: parsed.stream, db)
                )
            }
            // A full batch covers up to its last row; a short one reaches the newest seq. Every
            // seq in between that has no row was compacted or pruned, or skipped by a restored
            // outbox numbering past its floor (OutboxFloor): the outbox numbers without gaps
            // otherwise, and its newest row is never deleted.
            let through = rows.count == limit ? rows[rows.count - 1].seq : latest
            let absent = ReplayProtocol.gaps(in: rows.map(\.seq), from: parsed.from, through: through)
            let header = ReplayProtocol.Header(
                request: parsed.request, stream: parsed.stream, from: parsed.from, count: rows.count, latest: latest,
                through: through, first: first, absent: absent.map { [$0.lowerBound, $0.upperBound] })
            count(stream: parsed.stream, "served")
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

    /// `passerelle_replay_requests_total{stream, outcome}`: served, or refused (any stream).
    private func count(stream: String?, _ outcome: String) {
        metrics?.counter(
            "passerelle_replay_requests_total", labels: [("stream", stream ?? "-"), ("outcome", outcome)],
            help: "Replay requests answered by this service, per stream, served or refused."
        ).increment()
    }
}
