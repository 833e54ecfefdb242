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
    /// Entries per (level, group, destination), ascending: `slot << 16 | tag`, where the tag
    /// is the candidate's unit group that put it on the list (bits 0–13) and bit 14 says it
    /// has several there. Matching skips, without reading the candidate, those it met at a
    /// closer level.
    private var postings: [Int64: [Int64]] = [:]
    public private(set) var offers: [String: OfferFeatures] = [:]
    private var offersBySubMajor: [Int16: Set<String>] = [:]

    /// From how many entries a unit-group list is read by two threads at once.
    public let parallelFrom: Int

    public init(rules: RuleSet, parallelFrom: Int = 60_000) {
        self.rules = rules
        self.parallelFrom = parallelFrom
    }

    public var candidateCount: Int { slotOf.count }

    public func candidate(_ id: String) -> CandidateFeatures? {
        slotOf[id].map { slots[Int($0)] }
    }

    // MARK: Candidates

    /// Adds or replaces a candidate.
    public func upsert(_ candidate: CandidateFeatures) {
        if let slot = slotOf[candidate.id], slots[Int(slot)].registeredAt == candidate.registeredAt {
            // Same person, same place in line: refile under the new keys.
            for (key, tag) in Self.keys(slots[Int(slot)]) { unfile(Self.entry(slot, tag), key) }
            for (key, tag) in Self.keys(candidate) { file(Self.entry(slot, tag), key) }
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
        for (key, tag) in Self.keys(candidate) { postings[key, default: []].append(Self.entry(slot, tag)) }
    }

    /// Adds many candidates at once (a rebuild), numbered in registration order.
    public func load(_ candidates: some Sequence<CandidateFeatures>) {
        for candidate in candidates { remove(candidate.id) }
        let all = slots.indices.filter { alive[$0] }.map { slots[$0] } + Array(candidates)
        renumber(all)
    }

    public func remove(_ id: String) {
        guard let slot = slotOf.removeValue(forKey: id) else { return }
        for (key, tag) in Self.keys(slots[Int(slot)]) { unfile(Self.entry(slot, tag), key) }
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
            for (key, tag) in Self.keys(candidate) {
                postings[key, default: []].append(Self.entry(Int32(slot), tag))
            }
        }
        dead = 0
        ordered = true
    }

    private func file(_ entry: Int64, _ key: Int64) {
        var list = postings[key] ?? []
        list.insert(entry, at: Self.position(of: entry, in: list))
        postings[key] = list
    }

    private func unfile(_ entry: Int64, _ key: Int64) {
        guard var list = postings[key] else { return }
        let position = Self.position(of: entry, in: list)
        guard position < list.count, list[position] == entry else { return }
        list.remove(at: position)
        postings[key] = list.isEmpty ? nil : list
    }

    /// The first position in `list` whose entry is not below `entry`.
    private static func position(of entry: Int64, in list: [Int64]) -> Int {
        var low = 0
        var high = list.count
        while low < high {
            let middle = (low + high) / 2
            if list[middle] < entry { low = middle + 1 } else { high = middle }
        }
        return low
    }

    static let several: Int64 = 1 << 14

    @inline(__always)
    static func entry(_ slot: Int32, _ tag: Int64) -> Int64 { Int64(slot) << 16 | tag }

    /// The posting keys of a candidate, (level, group at that level, destination or 0), each
    /// with its tag: the smallest of the candidate's unit groups in that group, and `several`
    /// when it has more than one there.
    static func keys(_ candidate: CandidateFeatures) -> [Int64: Int64] {
        var keys: [Int64: Int64] = [:]
        let destinations = candidate.destinations.isEmpty ? [UInt16(0)] : candidate.destinations
        for occupation in candidate.occupations {
            for level in 2...4 {
                for destination in destinations {
                    let key = key(level: level, occupation: occupation, destination: destination)
                    if let tag = keys[key] {
                        keys[key] = min(tag & 0x3FFF, Int64(occupation)) | several
                    } else {
                        keys[key] = Int64(occupation)
                    }
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
        let empty: [Int64] = []
        slots.withUnsafeBufferPointer { candidates in
            for level in [4, 3, 2] {
                let bound = rules.upperBound(level: level)
                if bound < rules.threshold { break }
                if kept.isFull, let worst = kept.worst, bound < worst.score { break }
                let own =
                    postings[Self.key(level: level, occupation: offer.occupation, destination: offer.country)] ?? empty
                let anywhere = postings[Self.key(level: level, occupation: offer.occupation, destination: 0)] ?? empty
                if level == 4 && own.count + anywhere.count >= parallelFrom {
                    // A long unit-group list: both halves at once, each keeping its own best;
                    // the best of the union is among the two.
                    let pivot = own.count >= anywhere.count ? own[own.count / 2] : anywhere[anywhere.count / 2]
                    let ownSplit = Self.position(of: pivot, in: own)
                    let anySplit = Self.position(of: pivot, in: anywhere)
                    var halves = [TopK(limit: limit), TopK(limit: limit)]
                    let rules = rules
                    halves.withUnsafeMutableBufferPointer { halves in
                        let shared = SharedScan(candidates: candidates, halves: halves)
                        DispatchQueue.concurrentPerform(iterations: 2) { half in
                            Self.scan(
                                offer, rules, level: level, bound: bound,
                                own: half == 0 ? own[..<ownSplit] : own[ownSplit...],
                                anywhere: half == 0 ? anywhere[..<anySplit] : anywhere[anySplit...],
                                shared.candidates, &shared.halves[half])
                        }
                    }
                    for half in halves { kept.absorb(half) }
                } else {
                    Self.scan(
                        offer, rules, level: level, bound: bound, own: own[...], anywhere: anywhere[...], candidates,
                        &kept)
                }
            }
        }
        return kept.ranked { slots[Int($0)] }
    }

    /// Reads two lists of one level in slot order (registration order) into `kept`.
    @inline(__always)
    private static func scan(
        _ offer: OfferFeatures, _ rules: RuleSet, level: Int, bound: Double, own: ArraySlice<Int64>,
        anywhere: ArraySlice<Int64>,
        _ candidates: UnsafeBufferPointer<CandidateFeatures>, _ kept: inout TopK
    ) {
        // A candidate is in one of the two lists, never both; merged by slot.
        var ownIndex = own.startIndex
        var anyIndex = anywhere.startIndex
        let wantedMinor = offer.occupation / 10
        while ownIndex < own.endIndex || anyIndex < anywhere.endIndex {
            let entry: Int64
            if anyIndex >= anywhere.endIndex || (ownIndex < own.endIndex && own[ownIndex] < anywhere[anyIndex]) {
                entry = own[ownIndex]
                ownIndex += 1
            } else {
                entry = anywhere[anyIndex]
                anyIndex += 1
            }
            let slot = Int32(truncatingIfNeeded: entry >> 16)
            if kept.isFull, let worst = kept.worst, worst.score >= bound, slot > worst.slot {
                break  // everyone left registered later and can at most tie: nobody passes
            }
            // Met at a closer level already (on its unit or minor group's list)?
            var shared = level
            if level < 4 {
                if entry & Self.several != 0 {
                    shared = OccupationRule.sharedLevel(offer.occupation, candidates[Int(slot)].occupations)
                    if shared > level { continue }
                } else {
                    let unit = Int16(truncatingIfNeeded: entry & 0x3FFF)
                    if unit == offer.occupation || (level == 2 && unit / 10 == wantedMinor) { continue }
                }
            }
            // Found on a list of this country or of "anywhere": the destination is met.
            guard
                let score = rules.score(offer, candidates[Int(slot)], level: shared, destinationChecked: true),
                score >= rules.threshold
            else { continue }
            kept.consider(score: score, slot: slot)
        }
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

/// What the two threads of a parallel scan share: the candidates, read only, and one heap
/// each, written only by its own thread.
private struct SharedScan: @unchecked Sendable {
    let candidates: UnsafeBufferPointer<CandidateFeatures>
    let halves: UnsafeMutableBufferPointer<TopK>
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

    /// Takes in what another heap kept.
    mutating func absorb(_ other: TopK) {
        for item in other.heap { consider(score: item.score, slot: item.slot) }
    }

    func ranked(_ candidate: (Int32) -> CandidateFeatures) -> [Ranked] {
        heap.sorted(by: Self.before).map { item in
            let features = candidate(item.slot)
            return Ranked(candidateId: features.id, score: item.score, registeredAt: features.registeredAt)
        }
    }
}
