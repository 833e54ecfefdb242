/// SplitMix64 (Steele, Lea and Flood, 2014): a tiny seedable generator, so that the same seed
/// gives the same numbers on every machine: `passerelle demo --seed S`, the tests' random
/// cases, the fixtures' workloads and the benchmarks' data. `SystemRandomNumberGenerator`
/// cannot be seeded. Inlinable: a draw costs what it cost in the copies this replaces.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    @usableFromInline var state: UInt64

    @inlinable
    public init(seed: UInt64) {
        state = seed
    }

    /// The generator of record `index` of `stream`: each record depends only on (seed,
    /// stream, index), so generating 60 offers or 6,000 gives the same first 60.
    @inlinable
    public init(seed: UInt64, stream: UInt64, index: Int) {
        var mixer = SplitMix64(seed: seed ^ (stream &* 0xD1B5_4A32_D192_ED03))
        state = mixer.next() ^ (UInt64(truncatingIfNeeded: index) &* 0x9E37_79B9_7F4A_7C15)
        _ = next()
    }

    @inlinable
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<count` (multiply-shift; the bias is below 2⁻³² for our sizes).
    @inlinable
    public mutating func below(_ count: Int) -> Int {
        precondition(count > 0)
        return Int(next().multipliedFullWidth(by: UInt64(count)).high)
    }

    @inlinable
    public mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.count)
    }

    /// A number in [0, 1).
    @inlinable
    public mutating func unit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// True with probability `probability`.
    @inlinable
    public mutating func chance(_ probability: Double) -> Bool { unit() < probability }

    @inlinable
    public mutating func element<T>(of items: [T]) -> T { items[below(items.count)] }

    /// One of `items`, each as likely as its weight.
    @inlinable
    public mutating func weighted<T>(_ items: [(T, Double)]) -> T {
        let total = items.reduce(0) { $0 + $1.1 }
        var point = unit() * total
        for (item, weight) in items {
            if point < weight { return item }
            point -= weight
        }
        return items[items.count - 1].0
    }

    /// `count` distinct items of `items`, in the order drawn.
    @inlinable
    public mutating func distinct<T: Equatable>(_ count: Int, of items: [T]) -> [T] {
        var pool = items
        var chosen: [T] = []
        while chosen.count < count, !pool.isEmpty { chosen.append(pool.remove(at: below(pool.count))) }
        return chosen
    }
}
