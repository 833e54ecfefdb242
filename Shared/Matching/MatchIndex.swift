import Foundation

/// One candidate's standing for one offer.
public struct Ranked: Sendable, Equatable {
    public let candidateId: String
    public let score: Double
    public let registeredAt: Int64

    public init(candidateId: String, score: Double, registeredAt: Int64) {
        self.candidateId = candidateId
        self.score = score
        self.registeredAt = registeredAt
    }

    /// Ranking order: higher score first; among equals, earlier registration first (it is
    /// fair to those who came first), then the id, so that the order never depends on chance.
    @inline(__always)
    public static func ranksBefore(_ lhs: Ranked, _ rhs: Ranked) -> Bool {
        if lhs.score != rhs.score { return lhs.score > rhs.score }
        if lhs.registeredAt != rhs.registeredAt { return lhs.registeredAt < rhs.registeredAt }
        return lhs.candidateId < rhs.candidateId
    }
}

/// The in-memory index of the candidates who consent to matching, and of the open offers.
///
/// Candidates are filed under each ISCO-08 group their occupations belong to (unit, minor and
/// sub-major) and each destination they accept (or "anywhere"). Matching an offer reads the
/// lists of its own unit group first, then its minor and sub-major groups, and skips a whole
/// level once its best possible score cannot beat the last match kept: the cost follows the
/// plausible candidates, not all of them.
///
/// Not thread-safe: one owner (the matcher's actor) uses it.
public final class MatchIndex {
    public let rules: RuleSet
    private var slots: [CandidateFeatures?] = []
    private var slotOf: [String: Int32] = [:]
    private var freeSlots: [Int32] = []
    private var postings: [Int64: [Int32]] = [:]
    private var seen: [UInt32] = []
    private var stamp: UInt32 = 0
    public private(set) var offers: [String: OfferFeatures] = [:]
    private var offersBySubMajor: [Int16: Set<String>] = [:]

    public init(rules: RuleSet) { self.rules = rules }

    public var candidateCount: Int { slotOf.count }

    public func candidate(_ id: String) -> CandidateFeatures? { slotOf[id].flatMap { slots[Int($0)] } }

    // MARK: Candidates

    /// Adds or replaces a candidate.
    public func upsert(_ candidate: CandidateFeatures) {
        remove(candidate.id)
        let slot: Int32
        if let free = freeSlots.popLast() {
            slot = free
            slots[Int(slot)] = candidate
        } else {
            slot = Int32(slots.count)
            slots.append(candidate)
            seen.append(0)
        }
        slotOf[candidate.id] = slot
        for key in Self.keys(candidate) { postings[key, default: []].append(slot) }
    }

    public func remove(_ id: String) {
        guard let slot = slotOf.removeValue(forKey: id), let candidate = slots[Int(slot)] else { return }
        for key in Self.keys(candidate) {
            guard var list = postings[key], let position = list.firstIndex(of: slot) else { continue }
            list.swapAt(position, list.count - 1)
            list.removeLast()
            postings[key] = list.isEmpty ? nil : list
        }
        slots[Int(slot)] = nil
        freeSlots.append(slot)
    }

    /// The posting keys of a candidate: (level, group at that level, destination or 0).
    static func keys(_ candidate: CandidateFeatures) -> Set<Int64> {
        var keys: Set<Int64> = []
        let destinations = candidate.destinations.isEmpty ? [UInt16(0)] : candidate.destinations
        for occupation in candidate.occupations {
            for level in 2...4 {
                for destination in destinations {
                    keys.insert(key(level: level, occupation: occupation, destination: destination))
                }
            }
        }
        return keys
    }

    @inline(__always)
    static func key(level: Int, occupation: Int16, destination: UInt16) -> Int64 {
        let divisor: Int64
        switch level {
        case 2: divisor = 100
        case 3: divisor = 10
        default: divisor = 1
        }
        let group = Int64(occupation) / divisor
        return Int64(level) << 40 | group << 16 | Int64(destination)
    }

    // MARK: Offers

    public func upsert(_ offer: OfferFeatures) {
        removeOffer(offer.id)
        offers[offer.id] = offer
        offersBySubMajor[offer.occupation / 100, default: []].insert(offer.id)
    }

    public func removeOffer(_ id: String) {
        guard let offer = offers.removeValue(forKey: id) else { return }
        offersBySubMajor[offer.occupation / 100]?.remove(id)
    }

    // MARK: Matching

    /// The best `limit` candidates for `offer` at or above the threshold, best first.
    public func match(_ offer: OfferFeatures, limit: Int) -> [Ranked] {
        guard limit > 0 else { return [] }
        stamp &+= 1
        if stamp == 0 {
            for index in seen.indices { seen[index] = 0 }
            stamp = 1
        }
        var kept = TopK(limit: limit)
        for level in [4, 3, 2] {
            let bound = rules.upperBound(level: level)
            if bound < rules.threshold { break }
            if kept.isFull, let worst = kept.worst, bound < worst.score { break }
            for destination in [offer.country, 0] {
                guard
                    let list = postings[Self.key(level: level, occupation: offer.occupation, destination: destination)]
                else { continue }
                for slot in list {
                    if seen[Int(slot)] == stamp { continue }
                    seen[Int(slot)] = stamp
                    guard let candidate = slots[Int(slot)], let score = rules.score(offer, candidate),
                        score >= rules.threshold
                    else { continue }
                    kept.consider(score: score, registeredAt: candidate.registeredAt, id: candidate.id)
                }
            }
        }
        return kept.ranked()
    }

    /// The open offers `candidate` matches at or above the threshold, with the score.
    public func offers(for candidate: CandidateFeatures) -> [(offerId: String, score: Double)] {
        var subMajors = Set(candidate.occupations.map { $0 / 100 })
        var found: [(String, Double)] = []
        for group in subMajors.sorted() {
            for id in offersBySubMajor[group] ?? [] {
                guard let offer = offers[id], let score = rules.score(offer, candidate), score >= rules.threshold
                else { continue }
                found.append((id, score))
            }
        }
        subMajors.removeAll()
        return found.sorted { $0.0 < $1.0 }
    }

    /// Scores every candidate of the index, one by one, with the same rules: what matching
    /// would cost without the index (the benchmark's first alternative).
    public func matchByScanning(_ offer: OfferFeatures, limit: Int) -> [Ranked] {
        var kept = TopK(limit: limit)
        for case let candidate? in slots {
            guard let score = rules.score(offer, candidate), score >= rules.threshold else { continue }
            kept.consider(score: score, registeredAt: candidate.registeredAt, id: candidate.id)
        }
        return kept.ranked()
    }
}

/// The best `limit` of a stream of candidates: a binary heap with the worst at the top.
struct TopK {
    let limit: Int
    private var heap: [Ranked] = []

    init(limit: Int) {
        self.limit = limit
        heap.reserveCapacity(min(limit, 4_096))
    }

    var isFull: Bool { heap.count >= limit }
    var worst: Ranked? { heap.first }

    @inline(__always)
    mutating func consider(score: Double, registeredAt: Int64, id: String) {
        if heap.count >= limit, let worst = heap.first {
            if score < worst.score { return }
            if score == worst.score && registeredAt > worst.registeredAt { return }
        }
        let item = Ranked(candidateId: id, score: score, registeredAt: registeredAt)
        if heap.count < limit {
            heap.append(item)
            siftUp(heap.count - 1)
        } else if Ranked.ranksBefore(item, heap[0]) {
            heap[0] = item
            siftDown(0)
        }
    }

    /// Worse ranks nearer the top: `a` sits above `b` when `b` ranks before `a`.
    @inline(__always)
    private func above(_ a: Int, _ b: Int) -> Bool { Ranked.ranksBefore(heap[b], heap[a]) }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard above(child, parent) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var top = parent
            if left < heap.count && above(left, top) { top = left }
            if right < heap.count && above(right, top) { top = right }
            if top == parent { return }
            heap.swapAt(parent, top)
            parent = top
        }
    }

    func ranked() -> [Ranked] { heap.sorted(by: Ranked.ranksBefore) }
}
