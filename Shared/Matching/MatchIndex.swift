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
/// Candidates are numbered in registration order (then by id), so that a slot number alone
/// says who ranks first among equal scores. They are filed under each ISCO-08 group their
/// occupations belong to (unit, minor and sub-major) and each destination they accept (or
/// "anywhere"); every list is sorted by slot. Matching an offer reads the lists of its own unit
/// group first, then its minor and sub-major groups, and skips a whole level once its best
/// possible score cannot beat the last match kept. Within a level it stops as soon as the kept
/// matches all have that level's best possible score: everyone after them registered later and
/// cannot pass them. The cost follows the plausible candidates, not all of them.
///
/// Not thread-safe: one owner uses it (the matcher, under its lock).
public final class MatchIndex {
    public let rules: RuleSet
    private var slots: ContiguousArray<CandidateFeatures> = []
    private var alive: [Bool] = []
    private var slotOf: [String: Int32] = [:]
    private var dead = 0
    /// Whether slot order is (registeredAt, id) order; a late registration breaks it until
    /// the next renumbering.
    private var ordered = true
    /// Slots per (level, group, destination), ascending.
    private var postings: [Int64: [Int32]] = [:]
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
        if let slot = slotOf[candidate.id], slots[Int(slot)].registeredAt == candidate.registeredAt {
            // Same person, same place in line: refile under the new keys.
            let old = Self.keys(slots[Int(slot)])
            let new = Self.keys(candidate)
            for key in old.subtracting(new) { unfile(slot, key) }
            for key in new.subtracting(old) { file(slot, key) }
            slots[Int(slot)] = candidate
            return
        }
        remove(candidate.id)
        if let last = slots.indices.last(where: { alive[$0] }), !Self.before(slots[last], candidate) {
            ordered = false
        }
        let slot = Int32(slots.count)
        slots.append(candidate)
        alive.append(true)
        slotOf[candidate.id] = slot
        for key in Self.keys(candidate) { postings[key, default: []].append(slot) }
    }

    /// Adds many candidates at once (a rebuild), numbered in registration order.
    public func load(_ candidates: some Sequence<CandidateFeatures>) {
        for candidate in candidates { remove(candidate.id) }
        let all = slots.indices.filter { alive[$0] }.map { slots[$0] } + Array(candidates)
        renumber(all)
    }

    public func remove(_ id: String) {
        guard let slot = slotOf.removeValue(forKey: id) else { return }
        for key in Self.keys(slots[Int(slot)]) { unfile(slot, key) }
        alive[Int(slot)] = false
        dead += 1
        if dead > 1_024 && dead > slots.count / 4 { renumber(slots.indices.filter { alive[$0] }.map { slots[$0] }) }
    }

    /// Registration order: earlier first, then by id.
    @inline(__always)
    static func before(_ lhs: CandidateFeatures, _ rhs: CandidateFeatures) -> Bool {
        lhs.registeredAt != rhs.registeredAt ? lhs.registeredAt < rhs.registeredAt : lhs.id < rhs.id
    }

    /// Numbers `candidates` afresh in registration order, dropping dead slots.
    private func renumber(_ candidates: [CandidateFeatures]) {
        let sorted = candidates.sorted(by: Self.before)
        slots = ContiguousArray(sorted)
        alive = Array(repeating: true, count: sorted.count)
        slotOf = Dictionary(uniqueKeysWithValues: sorted.enumerated().map { ($0.element.id, Int32($0.offset)) })
        postings = [:]
        for (slot, candidate) in sorted.enumerated() {
            for key in Self.keys(candidate) { postings[key, default: []].append(Int32(slot)) }
        }
        dead = 0
        ordered = true
    }

    private func file(_ slot: Int32, _ key: Int64) {
        var list = postings[key] ?? []
        list.insert(slot, at: Self.position(of: slot, in: list))
        postings[key] = list
    }

    private func unfile(_ slot: Int32, _ key: Int64) {
        guard var list = postings[key] else { return }
        let position = Self.position(of: slot, in: list)
        guard position < list.count, list[position] == slot else { return }
        list.remove(at: position)
        postings[key] = list.isEmpty ? nil : list
    }

    /// The first position in `list` whose slot is not below `slot`.
    private static func position(of slot: Int32, in list: [Int32]) -> Int {
        var low = 0
        var high = list.count
        while low < high {
            let middle = (low + high) / 2
            if list[middle] < slot { low = middle + 1 } else { high = middle }
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
        if !ordered { renumber(slots.indices.filter { alive[$0] }.map { slots[$0] }) }
        var kept = TopK(limit: limit)
        let empty: [Int32] = []
        slots.withUnsafeBufferPointer { candidates in
            for level in [4, 3, 2] {
                let bound = rules.upperBound(level: level)
                if bound < rules.threshold { break }
                if kept.isFull, let worst = kept.worst, bound < worst.score { break }
                let own = postings[Self.key(level: level, occupation: offer.occupation, destination: offer.country)] ?? empty
                let anywhere = postings[Self.key(level: level, occupation: offer.occupation, destination: 0)] ?? empty
                // A candidate is in one of the two lists, never both; merged by slot, that is
                // in registration order.
                var ownIndex = 0
                var anyIndex = 0
                while ownIndex < own.count || anyIndex < anywhere.count {
                    let slot: Int32
                    if anyIndex >= anywhere.count || (ownIndex < own.count && own[ownIndex] < anywhere[anyIndex]) {
                        slot = own[ownIndex]
                        ownIndex += 1
                    } else {
                        slot = anywhere[anyIndex]
                        anyIndex += 1
                    }
                    if kept.isFull, let worst = kept.worst, worst.score >= bound, slot > worst.slot {
                        break  // everyone left registered later and can at most tie: nobody passes
                    }
                    // Met at a closer level already (its unit or minor group list).
                    if level < 4 && OccupationRule.sharedLevel(offer.occupation, candidates[Int(slot)].occupations) > level {
                        continue
                    }
                    guard let score = rules.score(offer, candidates[Int(slot)]), score >= rules.threshold else {
                        continue
                    }
                    kept.consider(score: score, slot: slot)
                }
            }
        }
        return kept.ranked { slots[Int($0)] }
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
        if !ordered { renumber(slots.indices.filter { alive[$0] }.map { slots[$0] }) }
        var kept = TopK(limit: limit)
        slots.withUnsafeBufferPointer { candidates in
            for slot in candidates.indices where alive[slot] {
                guard let score = rules.score(offer, candidates[slot]), score >= rules.threshold else { continue }
                kept.consider(score: score, slot: Int32(slot))
            }
        }
        return kept.ranked { slots[Int($0)] }
    }
}

/// The best `limit` of a stream of candidates: a binary heap with the worst at the top.
/// Slots are in registration order, so (score, slot) is the whole ranking.
struct TopK {
    struct Item {
        let score: Double
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

    @inline(__always)
    private static func before(_ a: Item, _ b: Item) -> Bool {
        a.score != b.score ? a.score > b.score : a.slot < b.slot
    }

    @inline(__always)
    mutating func consider(score: Double, slot: Int32) {
        let item = Item(score: score, slot: slot)
        if heap.count < limit {
            heap.append(item)
            siftUp(heap.count - 1)
        } else if Self.before(item, heap[0]) {
            heap[0] = item
            siftDown(0)
        }
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            // The worse of the two goes up.
            guard Self.before(heap[parent], heap[child]) else { return }
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
            if left < heap.count && Self.before(heap[top], heap[left]) { top = left }
            if right < heap.count && Self.before(heap[top], heap[right]) { top = right }
            if top == parent { return }
            heap.swapAt(parent, top)
            parent = top
        }
    }

    func ranked(_ candidate: (Int32) -> CandidateFeatures) -> [Ranked] {
        heap.sorted(by: Self.before).map { item in
            let features = candidate(item.slot)
            return Ranked(candidateId: features.id, score: item.score, registeredAt: features.registeredAt)
        }
    }
}
