import Bus
import Foundation
import Messages
import SeededRandom

/// What `statistics bench` feeds, drawn from ``SplitMix64`` (the same sizes give the same
/// events): offers, candidates, matches, notifications and replies over 24 months, each
/// stream numbered 1…N from its one publisher and encoded once as it comes off the bus.
struct StatsBenchWorkload: Sendable {
    /// One publisher's stream: its messages in seq order and their times (milliseconds).
    struct Stream: Sendable {
        let source: String
        let stream: String
        var messages: [BusMessage] = []
        var times: [Int64] = []
    }

    /// What the exact summary must say once every event is applied.
    struct Expected: Sendable {
        var offers = 0
        var candidates = 0
        var matches = 0
        var notificationsSent = 0
    }

    static let seed: UInt64 = 13
    /// 2025-07-01 00:00 UTC; everything happens in the 730 days after it.
    static let start: Int64 = 1_751_328_000_000
    static let span: Int64 = 730 * 86_400_000
    static let burst = 1_000

    let candidates: Int
    let offers: Int
    let matches: Int
    private(set) var streams: [Stream]
    private(set) var expected = Expected()
    /// Bursts of up to ``burst`` consecutive messages of one stream, the stream whose next
    /// event is oldest first: a catch-up reading each publisher's history in ranges.
    private(set) var bursts: [(stream: Int, range: Range<Int>)] = []

    var events: Int { streams.reduce(0) { $0 + $1.messages.count } }
    var notifications: Int { streams[3].messages.count }

    init(candidates: Int, offers: Int, matches: Int) {
        (self.candidates, self.offers, self.matches) = (candidates, offers, matches)
        streams = [
            Stream(source: "offer-registry", stream: "offer"),
            Stream(source: "candidate-registry", stream: "candidate"),
            Stream(source: "matcher", stream: "match"), Stream(source: "notifier", stream: "notification"),
        ]
        for n in 0..<offers {
            let offer = Self.offer(n, of: offers)
            append(.offerPublished(offer), to: 0, at: offer.openedAt!)
        }
        expected.offers = offers
        var counted = [Bool](repeating: false, count: candidates)
        for n in 0..<candidates {
            let profile = Self.candidate(n, of: candidates)
            counted[n] = profile.consent.statistics
            if counted[n] { expected.candidates += 1 }
            append(.candidateRegistered(profile), to: 1, at: profile.registeredAt!)
        }
        var pairs = Set<Int>()
        for n in 0..<matches {
            var random = SplitMix64(seed: Self.seed, stream: 3, index: n)
            let time = Self.time(n, of: matches)
            // Among the offers opened and the people registered by then; the recent offers most.
            let opened = max(1, min(offers, Int((time - Self.start) * Int64(offers) / Self.span)))
            let offer = opened - 1 - random.below(min(opened, 300))
            let registered = max(1, min(candidates, Int((time - Self.start) * Int64(candidates) / Self.span)))
            let candidate = random.below(registered)
            let match = Match(
                offerId: Self.offerId(offer), candidateId: Self.candidateId(candidate),
                score: Double(random.int(in: 40...100)), breakdown: [])
            append(.matchFound(match), to: 2, at: Timestamp(millisecondsSinceEpoch: time))
            if pairs.insert(offer * candidates + candidate).inserted, counted[candidate] { expected.matches += 1 }
            // Half the matches are notified two hours later; a third of those get a reply a day later.
            guard n % 2 == 0 else { continue }
            let sent = NotificationEvent(
                notificationId: "bench-notification-\(n)", candidateId: match.candidateId, offerId: match.offerId,
                channel: "spool", template: "match")
            append(.notificationSent(sent), to: 3, at: Timestamp(millisecondsSinceEpoch: time + 7_200_000))
            if counted[candidate] { expected.notificationsSent += 1 }
            guard random.chance(0.3) else { continue }
            let received = Timestamp(millisecondsSinceEpoch: time + 86_400_000)
            let intent = random.weighted([(ReplyIntent.interested, 5), (.declined, 4), (.stop, 1)])
            let reply = NotificationReply(
                candidateId: match.candidateId, offerId: match.offerId, intent: intent, channel: "spool",
                receivedAt: received)
            append(.notificationReply(reply), to: 3, at: received)
        }
        bursts = Self.schedule(streams)
    }

    private mutating func append(_ event: Event, to index: Int, at time: Timestamp) {
        let seq = Int64(streams[index].messages.count + 1)
        var random = SplitMix64(seed: Self.seed, stream: 10 + UInt64(index), index: Int(seq))
        let id = UUID(
            uuid: withUnsafeBytes(of: (random.next(), random.next())) { bytes in
                (
                    bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9],
                    bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
                )
            })
        let envelope = Envelope(id: id, source: streams[index].source, seq: seq, time: time, event: event)
        streams[index].messages.append(BusMessage(topic: envelope.type, envelope: envelope.encoded()))
        streams[index].times.append(time.millisecondsSinceEpoch)
    }

    private static func schedule(_ streams: [Stream]) -> [(stream: Int, range: Range<Int>)] {
        var next = streams.map { _ in 0 }
        var bursts: [(stream: Int, range: Range<Int>)] = []
        while true {
            let open = streams.indices.filter { next[$0] < streams[$0].messages.count }
            guard let oldest = open.min(by: { streams[$0].times[next[$0]] < streams[$1].times[next[$1]] }) else {
                break
            }
            let end = min(streams[oldest].messages.count, next[oldest] + burst)
            bursts.append((oldest, next[oldest]..<end))
            next[oldest] = end
        }
        return bursts
    }

    /// Record `n` of `count` spread evenly over the 24 months, in order.
    static func time(_ n: Int, of count: Int) -> Int64 {
        start + span * Int64(2 * n + 1) / Int64(2 * count)
    }

    static func offerId(_ n: Int) -> String { "bench-offer-\(n)" }
    static func candidateId(_ n: Int) -> String { "bench-candidate-\(n)" }
}
