import SeededRandom
import Testing

/// The demo data, the tests' random cases and the benchmarks' data are known by their seed:
/// these pin the numbers a seed gives, so that a change to the generator shows here first.
@Suite("SplitMix64 gives the same numbers for the same seed, everywhere")
struct SplitMix64Tests {
    @Test("seed 0 gives the reference implementation's first numbers")
    func referenceSequence() {
        var generator = SplitMix64(seed: 0)
        let first = (0..<4).map { _ in generator.next() }
        #expect(first == [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F, 0xF88B_B8A8_724C_81EC])
    }

    @Test("a record's generator is fixed by seed, stream and index, and differs when one changes")
    func recordGenerators() {
        func first(_ seed: UInt64, _ stream: UInt64, _ index: Int) -> UInt64 {
            var generator = SplitMix64(seed: seed, stream: stream, index: index)
            return generator.next()
        }
        #expect(first(1, 2, 3) == first(1, 2, 3))
        #expect(Set([first(1, 2, 3), first(2, 2, 3), first(1, 1, 3), first(1, 2, 4)]).count == 4)
    }

    @Test("the demo's draws from one record's generator")
    func draws() {
        var generator = SplitMix64(seed: 1, stream: 2, index: 3)
        let below = generator.below(1_000)
        let int = generator.int(in: 10...20)
        let unit = generator.unit()
        let chance = generator.chance(0.5)
        let element = generator.element(of: ["a", "b", "c"])
        let weighted = generator.weighted([("x", 1.0), ("y", 3.0)])
        let distinct = generator.distinct(3, of: Array(0..<10))
        #expect(below == 616)
        #expect(int == 18)
        #expect(unit == 0.2788185014890223)
        #expect(chance)
        #expect(element == "b")
        #expect(weighted == "y")
        #expect(distinct == [7, 5, 1])
    }
}
