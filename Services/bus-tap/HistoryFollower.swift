import Bus
import Foundation
import Messages
import ServiceKit

/// `--from SOURCE/STREAM:SEQ`: where the tap starts reading one source's stream.
struct HistoryStart: Hashable, Sendable, CustomStringConvertible {
    var source: String
    var stream: String
    var seq: Int64

    /// Parses `offer-registry/offer:1`; nil when it is not that shape.
    init?(_ text: String) {
        guard let slash = text.firstIndex(of: "/"), let colon = text.lastIndex(of: ":"), slash < colon,
            let seq = Int64(text[text.index(after: colon)...]), seq >= 1
        else { return nil }
        source = String(text[..<slash])
        stream = String(text[text.index(after: slash)..<colon])
        guard Identity.isValid(source), !stream.contains("."), (try? Topic.validate(stream + ".x")) != nil else {
            return nil
        }
        self.seq = seq
    }

    var description: String { "\(source)/\(stream):\(seq)" }
}

/// Reads the history of `--from` streams from their publishers' replay endpoints, then keeps
/// live messages of those streams in line with it: a seq already printed from history is
/// passed over, and a jump is filled from replay before the live message is printed. So the
/// tap shows each seq once, history then live, with no hole at the seam.
actor HistoryFollower {
    struct Key: Hashable { var source: String, stream: String }

    private var next: [Key: Int64] = [:]
    private var clients: [String: ReplayClient] = [:]
    let makeClient: @Sendable (_ source: String) async throws -> ReplayClient
    let timeout: Duration

    init(
        starts: [HistoryStart], timeout: Duration,
        makeClient: @escaping @Sendable (_ source: String) async throws -> ReplayClient
    ) {
        for start in starts { next[Key(source: start.source, stream: start.stream)] = start.seq }
        sources = Set(starts.map(\.source))
        self.timeout = timeout
        self.makeClient = makeClient
    }

    /// What the tap handles next, in order.
    enum Item: Sendable {
        /// A message from replay: complete and in order with what came before, by the
        /// replay protocol's checks, so the seqs since the last one were gone on purpose.
        case replayed(BusMessage)
        case live(BusMessage)
        /// Seqs up to `through` are accounted for (printed, or compacted and pruned).
        case passOver(source: String, stream: String, through: Int64)
    }

    /// Every stored message of the followed streams from their start seq to the newest.
    func history() async throws -> [Item] {
        var items: [Item] = []
        for key in next.keys.sorted(by: { ($0.source, $0.stream) < ($1.source, $1.stream) }) {
            items += try await fetch(key, through: nil)
        }
        return items
    }

    /// What to handle for a live message: nothing (already shown), the message, or the
    /// missing seqs from replay followed by the message.
    func live(_ message: BusMessage, header: EnvelopeHeader) async -> [Item] {
        if header.stream == Topic.heartbeatStream { return await heartbeat(message, header: header) + [.live(message)] }
        let key = Key(source: header.source, stream: header.stream)
        guard let expected = next[key] else { return [.live(message)] }
        if header.seq < expected { return [] }
        var items: [Item] = []
        if header.seq > expected {
            do {
                items = try await fetch(key, through: header.seq - 1)
            } catch {
                // The publisher's replay is gone: say so, and go on live (the tap marks the gap).
                Diagnostics.write(
                    "bus-tap: could not fetch \(key.source)/\(key.stream) seq \(expected)–\(header.seq - 1) from replay "
                        + "(\(error)); going on live")
            }
        }
        next[key] = max(next[key] ?? 0, header.seq + 1)
        return items + [.live(message)]
    }

    /// The sources the tap follows, whose heartbeats it must hear.
    nonisolated let sources: Set<String>

    /// A heartbeat names its source's latest seq per stream, and comes after those messages
    /// on the same connection: a followed stream still behind it lost its tail between the
    /// history read and the live subscription, which replay fills now.
    private func heartbeat(_ message: BusMessage, header: EnvelopeHeader) async -> [Item] {
        guard sources.contains(header.source), case .object(let streams)? = header.payload["streams"] else { return [] }
        var items: [Item] = []
        for (key, expected) in next where key.source == header.source {
            guard case .int(let latest)? = streams[key.stream], latest >= expected else { continue }
            do {
                items += try await fetch(key, through: latest)
            } catch {
                Diagnostics.write(
                    "bus-tap: could not fetch \(key.source)/\(key.stream) seq \(expected)–\(latest) from replay "
                        + "(\(error)); going on live")
            }
        }
        return items
    }

    /// Fetches `key` from its next seq through `through` (nil: the newest), in batches.
    private func fetch(_ key: Key, through: Int64?) async throws -> [Item] {
        let client = try await client(for: key.source)
        var items: [Item] = []
        while let from = next[key], through.map({ from <= $0 }) ?? true {
            let batch = try await client.fetch(stream: key.stream, from: from, timeout: timeout)
            let kept = batch.messages.filter { message in
                guard let through, let seq = Self.seq(of: message) else { return true }
                return seq <= through
            }
            items += kept.map(Item.replayed)
            let last = kept.compactMap { Self.seq(of: $0) }.max() ?? (from - 1)
            let covered = through.map { min(batch.through, $0) } ?? batch.through
            next[key] = max(last, covered) + 1
            items.append(.passOver(source: key.source, stream: key.stream, through: max(last, covered)))
            if batch.through < from || batch.through >= batch.latest { break }
        }
        return items
    }

    private static func seq(of message: BusMessage) -> Int64? {
        (try? EnvelopeHeader.decode(topic: message.topic, bytes: message.envelope))?.seq
    }

    private func client(for source: String) async throws -> ReplayClient {
        if let client = clients[source] { return client }
        let client = try await makeClient(source)
        clients[source] = client
        return client
    }

    func close() async {
        for client in clients.values { await client.close() }
    }
}
