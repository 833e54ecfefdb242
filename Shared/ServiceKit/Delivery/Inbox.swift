import Bus
import GRDB
import Logging
import Messages
import ServiceLifecycle

/// Applies every message of the streams a service follows exactly once, in order per
/// (source, stream): the receiving half of DESIGN.md's delivery protocol.
///
/// The last applied seq of each (source, stream) is stored in the same transaction as the
/// handler's effect. A duplicate is skipped; a gap (a jump in seq, or a heartbeat ahead of
/// what was applied) is repaired from the source's replay endpoint before anything later
/// is applied; a source heard of for the first time is replayed from seq 1. A failed
/// replay is retried with back-off, and `/health` says how far behind the inbox is.
///
/// Nothing is skipped silently: an event whose payload this build cannot read (a newer
/// schema) or whose handler fails is kept in the `inbox_dead_letters` table with the reason,
/// in the same transaction that moves the stream past it; `/health` reports it as degraded,
/// and ``retryDeadLetters()`` (at every start) applies those the service can now read.
public actor Inbox {
    /// Applies one message inside the write transaction that also records it as applied.
    public typealias Handler = @Sendable (Envelope, Database) throws -> Void

    struct Key: Hashable, Sendable, CustomStringConvertible {
        var source: String
        var stream: String
        var description: String { "\(source)/\(stream)" }
    }

    let database: ServiceDatabase
    let streams: Set<String>
    let handler: Handler
    let logger: Logger
    let health: HealthChecks?
    let replayTimeout: Duration
    let replayOptions: @Sendable (String) throws -> SocketOptions
    nonisolated let meters: InboxMetrics?
    private var applied: [Key: Int64] = [:]
    private var announced: [Key: Int64] = [:]
    private var endpoints: [String: String] = [:]
    private var clients: [String: ReplayClient] = [:]
    private var retry: [String: (after: ContinuousClock.Instant, backoff: Duration)] = [:]
    private var repairing: Set<Key> = []
    public private(set) var statistics = Statistics()

    /// Counts for metrics and tests.
    public struct Statistics: Sendable, Equatable {
        public var applied = 0
        public var duplicates = 0
        public var replayed = 0
        public var undecodable = 0
        public var replayFailures = 0
        /// Events kept in the dead-letter table instead of applied.
        public var deadLettered = 0
        /// Heartbeats whose payload named another source than their sender: ignored.
        public var forgedHeartbeats = 0
        /// Seqs passed over because their publisher compacted or pruned them (replay said so).
        public var absentOnPurpose = 0
    }
    /// Dead letters waiting, as last counted (for `/health` and `/metrics`).
    public nonisolated let deadLetters = AtomicCount()
    /// Seqs passed over as gone on purpose, since start (for `/metrics`).
    public nonisolated let absentOnPurpose = AtomicCount()

    /// - Parameter streams: the streams followed (`offer`, `candidate`, …), without the dot.
    /// - Parameter replayOptions: socket options to reach a source's replay endpoint (with
    ///   security, CURVE that proves the endpoint is that source).
    public init(
        database: ServiceDatabase, streams: Set<String>, health: HealthChecks? = nil,
        replayTimeout: Duration = .seconds(5),
        replayOptions: @escaping @Sendable (String) throws -> SocketOptions = { _ in SocketOptions() },
        metrics: ServiceMetrics? = nil, logger: Logger, handler: @escaping Handler
    ) {
        self.meters = metrics.map(InboxMetrics.init)
        self.replayOptions = replayOptions
        self.database = database
        self.streams = streams
        self.health = health
        self.replayTimeout = replayTimeout
        self.logger = logger
        self.handler = handler
    }

    /// The subscription prefixes the inbox needs: whole streams, and every heartbeat.
    public nonisolated var prefixes: [String] { streams.sorted().map { $0 + "." } + ["heartbeat."] }

    /// The last seq applied for `source`/`stream`.
    public func appliedSeq(source: String, stream: String) async throws -> Int64 {
        try await lastApplied(Key(source: source, stream: stream))
    }

    /// Handles one message from the bus.
    public func receive(_ message: BusMessage) async {
        await receive([message])
    }

    /// Handles a burst of messages; consecutive ones of a stream are applied in one transaction.
    public func receive(_ messages: [BusMessage]) async {
        var run: PendingRun?
        for message in messages {
            guard let item = decode(message) else { continue }
            do {
                if item.stream == Topic.heartbeatStream {
                    try await flush(&run)
                    if case .heartbeat(let beat)? = item.envelope?.payload {
                        // The envelope's source is the sender (the broker checks it with
                        // security on); a payload naming another source is a forgery.
                        guard beat.source == item.source, message.topic == "heartbeat." + item.source else {
                            statistics.forgedHeartbeats += 1
                            logger.warning(
                                "ignored a heartbeat naming another source",
                                metadata: ["sender": "\(item.source)", "names": "\(beat.source)"])
                            continue
                        }
                        try await heard(beat)
                    }
                    continue
                }
                guard streams.contains(item.stream) else { continue }
                let key = Key(source: item.source, stream: item.stream)
                announced[key] = max(announced[key] ?? 0, item.seq)
                if let pending = run, pending.key == key, item.seq == pending.last + 1 {
                    run?.items.append(item)
                    run?.last = item.seq
                    continue
                }
                try await flush(&run)
                let last = try await lastApplied(key)
                if item.seq <= last {
                    statistics.duplicates += 1
                    meters?.count(
                        "duplicates", source: key.source,
                        help: "Events received again and skipped (already applied), per source.")
                    continue
                }
                if item.seq > last + 1 {
                    try await repair(key, upTo: item.seq - 1)
                    // Still a gap (replay unavailable): leave it; the source keeps it for later.
                    guard try await lastApplied(key) == item.seq - 1 else { continue }
                }
                run = PendingRun(key: key, items: [item], last: item.seq)
            } catch {
                run = nil
                logger.error("inbox failed", metadata: ["topic": "\(message.topic)", "error": "\(error)"])
            }
        }
        do {
            try await flush(&run)
        } catch {
            logger.error("inbox failed", metadata: ["error": "\(error)"])
        }
        reportHealth()
    }

    private func decode(_ message: BusMessage) -> Received? {
        do {
            let envelope = try Envelope.decode(topic: message.topic, bytes: message.envelope)
            return Received(
                source: envelope.source, stream: envelope.stream, seq: envelope.seq, envelope: envelope,
                message: message)
        } catch {
            statistics.undecodable += 1
            guard let header = Self.header(of: message) else {
                logger.warning(
                    "skipped an undecodable message", metadata: ["topic": "\(message.topic)", "error": "\(error)"])
                return nil
            }
            logger.error(
                "unreadable payload: kept as a dead letter",
                metadata: ["topic": "\(message.topic)", "seq": "\(header.seq)", "error": "\(error)"])
            return Received(
                source: header.source, stream: header.stream, seq: header.seq, envelope: nil, problem: "\(error)",
                message: message)
        }
    }

    private func flush(_ run: inout PendingRun?) async throws {
        guard let pending = run else { return }
        run = nil
        try await apply(pending.items, key: pending.key)
    }

    /// Retries every repair that is due (call it about once a second); with `source`, only
    /// that source's, so that a dead endpoint delays no one else.
    public func retryRepairs(source: String? = nil) async {
        for (key, latest) in announced where source == nil || key.source == source {
            if let last = applied[key], last >= latest { continue }
            try? await repair(key, upTo: latest)
        }
        reportHealth()
    }

    private func heard(_ beat: Heartbeat) async throws {
        if let endpoint = beat.replay, endpoints[beat.source] != endpoint {
            endpoints[beat.source] = endpoint
            clients[beat.source] = nil
        }
        for (stream, seq) in beat.streams where streams.contains(stream) {
            let key = Key(source: beat.source, stream: stream)
            announced[key] = max(announced[key] ?? 0, seq)
            if try await lastApplied(key) < seq { try await repair(key, upTo: seq) }
        }
    }

    private func repair(_ key: Key, upTo target: Int64) async throws {
        if let due = retry[key.source], ContinuousClock.now < due.after { return }
        // The actor is re-entrant across awaits: one repair per stream at a time.
        guard repairing.insert(key).inserted else { return }
        defer { repairing.remove(key) }
        guard let client = try client(for: key.source) else {
            logger.notice("gap, and no replay endpoint known yet", metadata: ["stream": "\(key)"])
            return
        }
        do {
            while try await lastApplied(key) < target {
                let from = try await lastApplied(key) + 1
                let wanted = Int(min(target - from + 1, Int64(ReplayProtocol.maximumBatch)))
                let batch = try await client.fetch(
                    stream: key.stream, from: from, limit: wanted, timeout: replayTimeout)
                guard batch.through >= from else { break }  // the publisher holds nothing from there yet
                let applied = try await apply(
                    batch.messages.compactMap(decode), key: key, absent: batch.absent, through: batch.through)
                statistics.replayed += applied.count
                meters?.count(
                    "replayed", source: key.source, by: applied.count,
                    help: "Events applied from the source's replay endpoint (gaps repaired, late start), per source.")
                if applied.skipped > 0 {
                    statistics.absentOnPurpose += Int(applied.skipped)
                    absentOnPurpose.add(Int(applied.skipped))
                    logger.info(
                        "replay: seqs gone on purpose passed over (compacted or pruned by the publisher)",
                        metadata: [
                            "stream": "\(key)", "seqs": "\(applied.skipped)",
                            "ranges": "\(batch.absent.prefix(3).map { "\($0.lowerBound)…\($0.upperBound)" })",
                        ])
                }
                guard try await lastApplied(key) >= from else { break }  // no progress: stop, retry later
            }
            retry[key.source] = nil
        } catch {
            statistics.replayFailures += 1
            let backoff = min((retry[key.source]?.backoff ?? .milliseconds(250)) * 2, .seconds(30))
            retry[key.source] = (ContinuousClock.now + backoff, backoff)
            logger.warning(
                "replay failed; will retry", metadata: ["stream": "\(key)", "error": "\(error)", "in": "\(backoff)"])
        }
    }

    private func client(for source: String) throws -> ReplayClient? {
        if let client = clients[source] { return client }
        guard let endpoint = endpoints[source] else { return nil }
        let client = try ReplayClient(endpoint: endpoint, source: source, options: replayOptions(source))
        clients[source] = client
        return client
    }

    /// Applies consecutive messages in one transaction with the new applied seq; returns how
    /// many were applied, and how many seqs it passed over because the publisher declared
    /// them gone on purpose (`absent`, from a replay reply covering up to `through`).
    ///
    /// The applied seq is read again inside the transaction, so that whatever interleaves
    /// across the awaits (a live message, a repair), nothing is applied twice or out of order.
    /// Each handler runs in a savepoint: one that fails leaves no partial effect, and its
    /// event goes to the dead-letter table in the same transaction (a transient database
    /// failure, such as a full disk, aborts the whole transaction instead, to be retried).
    @discardableResult
    private func apply(
        _ items: [Received], key: Key, absent: [ClosedRange<Int64>] = [], through: Int64? = nil
    ) async throws -> (count: Int, skipped: Int64) {
        let handler = handler
        let ready = items
        let (newest, count, skipped, dead, done) = try await database.pool.write {
            db -> (Int64, Int, Int64, [String], [Envelope]) in
            var last =
                try Int64.fetchOne(
                    db, sql: "SELECT applied FROM inbox WHERE source = ? AND stream = ?",
                    arguments: [key.source, key.stream]) ?? 0
            var count = 0
            var skipped: Int64 = 0
            var dead: [String] = []
            var done: [Envelope] = []
            /// Moves past `last + 1 ... upTo` if the publisher said all of it is gone on purpose.
            func passOver(upTo seq: Int64) {
                guard seq > last, Self.covers(absent, (last + 1)...seq) else { return }
                skipped += seq - last
                last = seq
            }
            for item in ready {
                if item.seq > last + 1 { passOver(upTo: item.seq - 1) }
                guard item.seq == last + 1 else { continue }
                if let envelope = item.envelope {
                    do {
                        try db.inSavepoint {
                            try handler(envelope, db)
                            return .commit
                        }
                        count += 1
                        done.append(envelope)
                    } catch let error as DatabaseError where DeadLetters.isTransient(error) {
                        throw error
                    } catch {
                        try DeadLetters.insert(item.message, source: key.source, seq: item.seq, reason: "\(error)", db)
                        dead.append("seq \(item.seq): \(error)")
                    }
                } else {
                    try DeadLetters.insert(
                        item.message, source: key.source, seq: item.seq, reason: item.problem ?? "unreadable", db)
                    dead.append("seq \(item.seq): \(item.problem ?? "unreadable")")
                }
                last = item.seq
            }
            if let through { passOver(upTo: through) }
            try db.execute(
                sql: """
                    INSERT INTO inbox (source, stream, applied) VALUES (?, ?, ?)
                    ON CONFLICT(source, stream) DO UPDATE SET applied = excluded.applied
                    """,
                arguments: [key.source, key.stream, last])
            return (last, count, skipped, dead, done)
        }
        applied[key] = max(applied[key] ?? 0, newest)  // transactions may resume out of order here
        statistics.applied += count
        meters?.applied(done, key: key)
        if !dead.isEmpty {
            statistics.deadLettered += dead.count
            meters?.count(
                "dead_lettered", source: key.source, by: dead.count,
                help: "Events kept as dead letters (unreadable or refused by the handler), per source.")
            deadLetters.add(dead.count)
            logger.error(
                "events kept as dead letters",
                metadata: ["stream": "\(key)", "events": "\(dead.joined(separator: "; "))"])
        }
        return (count, skipped)
    }

    private func lastApplied(_ key: Key) async throws -> Int64 {
        if let seq = applied[key] { return seq }
        let stored = try await database.pool.read { db in
            try Int64.fetchOne(
                db, sql: "SELECT applied FROM inbox WHERE source = ? AND stream = ?",
                arguments: [key.source, key.stream])
        }
        applied[key] = stored ?? 0
        return stored ?? 0
    }

    func reportHealth() {
        meters?.report(
            behind: announced.reduce(into: [:]) { behind, entry in
                behind[entry.key] = max(0, entry.value - (applied[entry.key] ?? 0))
            })
        guard let health else { return }
        let behind = announced.compactMap { key, latest -> String? in
            let last = applied[key] ?? 0
            return latest > last ? "\(key) behind by \(latest - last)" : nil
        }.sorted()
        let dead = deadLetters.value
        let problems =
            behind + (dead > 0 ? ["\(dead) dead letter(s): events kept, not applied (inbox_dead_letters)"] : [])
        if problems.isEmpty {
            health.report("inbox", .ok, "up to date")
        } else {
            health.report("inbox", .degraded, problems.joined(separator: "; "))
        }
    }
}
