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
/// sub-major) and each destination they accept (or "anywhere"); each list is kept in
/// registration order. Matching an offer reads the lists of its own unit group first, then its
/// minor and sub-major groups, and skips a whole level once its best possible score cannot
/// beat the last match kept. Within a level it stops as soon as the kept matches all have that
/// level's best possible score: everyone after them registered later and cannot pass them.
/// The cost follows the plausible candidates, not all of them.
///
/// Not thread-safe: one owner uses it (the matcher, under its lock).
public final class MatchIndex {
    public let rules: RuleSet
    private var slots: ContiguousArray<CandidateFeatures> = []
    private var alive: [Bool] = []
    private var slotOf: [String: Int32] = [:]
    private var freeSlots: [Int32] = []
    /// Slots per (level, group, destination), sorted by (registeredAt, slot).
    private var postings: [Int64: [Int32]] = [:]
    private var seen: [UInt32] = []
    private var stamp: UInt32 = 0
    public private(set) var offers: [String: OfferFeatures] = [:]
    private var offersBySubMajor: [Int16: Set<String>] = [:]

    public init(rules: RuleSet) { self.rules = rules }

    public var candidateCount: Int { slotOf.count }

    public func candidate(_ id: String) -> CandidateFeatures? {
        slotOf[id].map { slots[Int($0)] }
    }

    // MARK: Candidates

    /// Adds or replaces a candidate.
    public func upsert(_ candidate: CandidateFeatures) {
        let slot = store(candidate)
        for key in Self.keys(candidate) {
            var list = postings[key] ?? []
            list.insert(slot, at: insertionPoint(in: list, for: slot))
            postings[key] = list
        }
    }

    /// Adds many candidates at once (a rebuild): lists are sorted once at the end.
    public func load(_ candidates: some Sequence<CandidateFeatures>) {
        var touched: Set<Int64> = []
        for candidate in candidates {
            let slot = store(candidate)
            for key in Self.keys(candidate) {
                postings[key, default: []].append(slot)
                touched.insert(key)
            }
        }
        for key in touched { postings[key]?.sort(by: registeredBefore) }
    }

    private func store(_ candidate: CandidateFeatures) -> Int32 {
        remove(candidate.id)
        let slot: Int32
        if let free = freeSlots.popLast() {
            slot = free
            slots[Int(slot)] = candidate
            alive[Int(slot)] = true
        } else {
            slot = Int32(slots.count)
            slots.append(candidate)
            alive.append(true)
            seen.append(0)
        }
        slotOf[candidate.id] = slot
        return slot
    }

    public func remove(_ id: String) {
        guard let slot = slotOf.removeValue(forKey: id) else { return }
        let candidate = slots[Int(slot)]
        for key in Self.keys(candidate) {
            guard var list = postings[key], let position = list.firstIndex(of: slot) else { continue }
            list.remove(at: position)
            postings[key] = list.isEmpty ? nil : list
        }
        alive[Int(slot)] = false
        freeSlots.append(slot)
    }

    @inline(__always)
    private func registeredBefore(_ lhs: Int32, _ rhs: Int32) -> Bool {
        let left = slots[Int(lhs)].registeredAt
        let right = slots[Int(rhs)].registeredAt
        return left != right ? left < right : lhs < rhs
    }

    private func insertionPoint(in list: [Int32], for slot: Int32) -> Int {
        var low = 0
        var high = list.count
        while low < high {
            let middle = (low + high) / 2
            if registeredBefore(list[middle], slot) { low = middle + 1 } else { high = middle }
        }
        return low
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
        let empty: [Int32] = []
        slots.withUnsafeBufferPointer { candidates in
            for level in [4, 3, 2] {
                let bound = rules.upperBound(level: level)
                if bound < rules.threshold { break }
                if kept.isFull, let worst = kept.worst, bound < worst.score { break }
                let own = postings[Self.key(level: level, occupation: offer.occupation, destination: offer.country)] ?? empty
                let anywhere = postings[Self.key(level: level, occupation: offer.occupation, destination: 0)] ?? empty
                // Both lists in registration order, merged.
                var ownIndex = 0
                var anyIndex = 0
                while ownIndex < own.count || anyIndex < anywhere.count {
                    let slot: Int32
                    if anyIndex >= anywhere.count
                        || (ownIndex < own.count && registeredBefore(own[ownIndex], anywhere[anyIndex]))
                    {
                        slot = own[ownIndex]
                        ownIndex += 1
                    } else {
                        slot = anywhere[anyIndex]
                        anyIndex += 1
                    }
                    if seen[Int(slot)] == stamp { continue }
                    seen[Int(slot)] = stamp
                    let registeredAt = candidates[Int(slot)].registeredAt
                    if kept.isFull, let worst = kept.worst, worst.score >= bound, registeredAt > worst.registeredAt {
                        break  // everyone left registered later and can at most tie: nobody passes
                    }
                    guard let score = rules.score(offer, candidates[Int(slot)]), score >= rules.threshold else {
                        continue
                    }
                    kept.consider(score: score, registeredAt: registeredAt, slot: slot) { candidates[Int($0)].id }
                }
            }
        }
        return kept.ranked { slots[Int($0)].id }
    }

    /// The open offers `candidate` matches at or above the threshold, with the score.
    public func offers(for candidate: CandidateFeatures) -> [(offerId: String, score: Double)] {
        let subMajors = Set(candidate.occupations.map { $0 / 100 })
        var found: [(String, Double)] = []
        for group in subMajors.sorted() {
            for id in offersBySubMajor[group] ?? [] {
                guard let offer = offers[id], let score = rules.score(offer, candidate), score >= rules.threshold
                else { continue }
                found.append((id, score))
            }
        }
        return found.sorted { $0.0 < $1.0 }
    }

    /// Scores every candidate of the index, one by one, with the same rules: what matching
    /// would cost without the index (the benchmark's first alternative).
    public func matchByScanning(_ offer: OfferFeatures, limit: Int) -> [Ranked] {
        var kept = TopK(limit: limit)
        slots.withUnsafeBufferPointer { candidates in
            for slot in candidates.indices where alive[slot] {
                guard let score = rules.score(offer, candidates[slot]), score >= rules.threshold else { continue }
                kept.consider(score: score, registeredAt: candidates[slot].registeredAt, slot: Int32(slot)) {
                    candidates[Int($0)].id
                }
            }
        }
        return kept.ranked { slots[Int($0)].id }
    }
}

/// The best `limit` of a stream of candidates: a binary heap with the worst at the top.
/// Items are slots; ids are looked up only to break a tie of score and registration time.
struct TopK {
    struct Item {
        let score: Double
        let registeredAt: Int64
        let slot: Int32
    }

    let limit: Int
    private var heap: [Item] = []

    init(limit: Int) {
        self.limit = limit
        heap.reserveCapacity(min(limit, 4_096))
    }

    var isFull: Bool { heap.count >= limit }
    var worst: Item? { heap.first }

    /// Whether `a` ranks before `b` (see `Ranked.ranksBefore`).
    @inline(__always)
    private static func before(_ a: Item, _ b: Item, _ id: (Int32) -> String) -> Bool {
        if a.score != b.score { return a.score > b.score }
        if a.registeredAt != b.registeredAt { return a.registeredAt < b.registeredAt }
        return id(a.slot) < id(b.slot)
    }

    @inline(__always)
    mutating func consider(score: Double, registeredAt: Int64, slot: Int32, id: (Int32) -> String) {
        let item = Item(score: score, registeredAt: registeredAt, slot: slot)
        if heap.count < limit {
            heap.append(item)
            siftUp(heap.count - 1, id)
        } else if Self.before(item, heap[0], id) {
            heap[0] = item
            siftDown(0, id)
        }
    }

    private mutating func siftUp(_ start: Int, _ id: (Int32) -> String) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            // The worse of the two goes up.
            guard Self.before(heap[parent], heap[child], id) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int, _ id: (Int32) -> String) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var top = parent
            if left < heap.count && Self.before(heap[top], heap[left], id) { top = left }
            if right < heap.count && Self.before(heap[top], heap[right], id) { top = right }
            if top == parent { return }
            heap.swapAt(parent, top)
            parent = top
        }
    }

    func ranked(_ id: (Int32) -> String) -> [Ranked] {
        heap.map { Ranked(candidateId: id($0.slot), score: $0.score, registeredAt: $0.registeredAt) }
            .sorted(by: Ranked.ranksBefore)
    }
}
