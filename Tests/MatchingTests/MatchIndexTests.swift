import Matching
import Messages
import SeededRandom
import Testing

/// Random but plausible people and offers over a few related occupations and countries.
enum Random {
    static let occupations = ["9211", "9212", "9213", "6111", "6121", "7112", "7115", "7126", "8322", "8332", "5120"]
    static let countries = ["ES", "FR", "IT", "CA", "QA"]
    static let levels: [CEFRLevel] = [.a1, .a2, .b1, .b2, .c1, .c2]

    static func person(_ index: Int, _ rng: inout SplitMix64) -> CandidateProfile {
        makeCandidate(
            id: "c\(index)",
            occupations: Array(
                Set((0..<Int.random(in: 1...2, using: &rng)).map { _ in occupations.randomElement(using: &rng)! })),
            languages: [
                LanguageRequirement(
                    code: ["es", "fr", "en"].randomElement(using: &rng)!, level: levels.randomElement(using: &rng)!)
            ],
            education: Int.random(in: 0...5, using: &rng), experienceYears: Int.random(in: 0...8, using: &rng),
            destinations: Bool.random(using: &rng) ? [] : [countries.randomElement(using: &rng)!],
            available: ["2027-01-01", "2027-03-10", "2027-06-01"].randomElement(using: &rng)!,
            skills: Bool.random(using: &rng) ? ["taille"] : [], licences: Bool.random(using: &rng) ? ["B"] : [],
            // Few distinct times, so that ties on score and time happen and the id decides.
            registeredAt: Int64.random(in: 0...20, using: &rng))
    }

    static func job(_ index: Int, _ rng: inout SplitMix64) -> Offer {
        makeOffer(
            occupation: occupations.randomElement(using: &rng)!, country: countries.randomElement(using: &rng)!,
            positions: Int.random(in: 1...5, using: &rng),
            languages: [LanguageRequirement(code: "es", level: levels.randomElement(using: &rng)!)],
            education: Int.random(in: 0...3, using: &rng), experienceYears: Int.random(in: 0...5, using: &rng),
            skills: Bool.random(using: &rng) ? ["taille"] : [], licences: Bool.random(using: &rng) ? ["B"] : [],
            id: "o\(index)")
    }
}

@Suite("MatchIndex: the index finds what scanning every candidate finds, in the same order")
struct MatchIndexTests {
    @Test(
        "index and full scan agree on 3,000 random candidates and 60 offers, at several limits",
        arguments: [60_000, 20])
    func indexAgreesWithScan(parallelFrom: Int) {
        // parallelFrom 20: every unit-group list is read by two threads.
        // Seeded, so a failing case can be replayed.
        var rng = SplitMix64(seed: 42)
        let index = MatchIndex(rules: .standard, parallelFrom: parallelFrom)
        // Half loaded in bulk, half one by one, so both ways of filing are checked.
        let people = (0..<3_000).map { CandidateFeatures(Random.person($0, &rng)) }
        index.load(people.prefix(1_500))
        for person in people.dropFirst(1_500) { index.upsert(person) }
        // Some updates and removals on top.
        var live = Dictionary(uniqueKeysWithValues: people.map { ($0.id, $0) })
        for number in stride(from: 0, to: 3_000, by: 7) {
            let changed = CandidateFeatures(Random.person(number, &rng))
            index.upsert(changed)
            live[changed.id] = changed
        }
        for number in stride(from: 3, to: 3_000, by: 11) {
            index.remove("c\(number)")
            live["c\(number)"] = nil
        }
        #expect(index.candidateCount == live.count)
        var nonEmpty = 0
        for number in 0..<60 {
            let offer = OfferFeatures(Random.job(number, &rng))
            // The oracle: every live candidate scored, sorted by the ranking rule itself.
            let oracle = live.values.compactMap { person -> Ranked? in
                guard let score = index.rules.score(offer, person), score >= index.rules.threshold else { return nil }
                return Ranked(candidateId: person.id, score: score, registeredAt: person.registeredAt)
            }.sorted(by: Ranked.ranksBefore)
            for limit in [1, 5, 50, 10_000] {
                let indexed = index.match(offer, limit: limit)
                #expect(indexed == Array(oracle.prefix(limit)), "offer \(number), limit \(limit)")
                #expect(indexed == index.matchByScanning(offer, limit: limit), "offer \(number), limit \(limit)")
                #expect(indexed.count <= limit)
                if limit == 10_000 && !indexed.isEmpty { nonEmpty += 1 }
            }
        }
        #expect(nonEmpty > 30, "most offers find someone: the comparison is not vacuous")
    }

    @Test("ties: equal scores rank the earlier registration first, then the id")
    func ties() {
        let index = MatchIndex(rules: .standard)
        index.upsert(CandidateFeatures(makeCandidate(id: "late", registeredAt: 300)))
        index.upsert(CandidateFeatures(makeCandidate(id: "b-early", registeredAt: 100)))
        index.upsert(CandidateFeatures(makeCandidate(id: "a-early", registeredAt: 100)))
        let ranked = index.match(OfferFeatures(makeOffer()), limit: 10)
        #expect(ranked.map(\.candidateId) == ["a-early", "b-early", "late"])
        #expect(Set(ranked.map(\.score)).count == 1)
        #expect(index.match(OfferFeatures(makeOffer()), limit: 2).map(\.candidateId) == ["a-early", "b-early"])
    }

    @Test("an update or a removal changes what matches; the threshold keeps weak pairs out")
    func updates() {
        let index = MatchIndex(rules: .standard)
        index.upsert(CandidateFeatures(makeCandidate(id: "x")))
        let farm = OfferFeatures(makeOffer())
        #expect(index.match(farm, limit: 5).map(\.candidateId) == ["x"])
        index.upsert(CandidateFeatures(makeCandidate(id: "x", occupations: ["2512"])))
        #expect(index.match(farm, limit: 5).isEmpty)
        #expect(index.candidateCount == 1)
        index.upsert(CandidateFeatures(makeCandidate(id: "x")))
        index.remove("x")
        #expect(index.match(farm, limit: 5).isEmpty)
        #expect(index.candidateCount == 0)
        // Same minor group but nothing else fits: below the threshold of 50.
        let weak = makeCandidate(
            id: "weak", occupations: ["9212"], languages: [], education: 0, experienceYears: 0, skills: [])
        index.upsert(CandidateFeatures(weak))
        let score = RuleSet.standard.score(farm, CandidateFeatures(weak))
        #expect(score != nil && score! < 50)
        #expect(index.match(farm, limit: 5).isEmpty)
    }

    @Test("a candidate finds the open offers it matches")
    func offersForCandidate() {
        let index = MatchIndex(rules: .standard)
        index.upsert(OfferFeatures(makeOffer(id: "farm-es")))
        index.upsert(OfferFeatures(makeOffer(country: "CA", id: "farm-ca")))
        index.upsert(OfferFeatures(makeOffer(occupation: "7112", id: "masonry")))
        let found = index.offers(for: CandidateFeatures(makeCandidate()))
        #expect(found.map(\.offerId) == ["farm-es"])
        index.removeOffer("farm-es")
        #expect(index.offers(for: CandidateFeatures(makeCandidate())).isEmpty)
    }

    @Test("the score is the weighted mean of the rules, and the breakdown explains each")
    func breakdown() {
        let rules = RuleSet.standard
        let farm = OfferFeatures(makeOffer(languages: [LanguageRequirement(code: "es", level: .b2)]))
        let person = CandidateFeatures(makeCandidate())
        // Languages one level short (0.5 × 15); everything else met: 100 − 7.5 = 92.5.
        #expect(rules.score(farm, person) == 92.5)
        let parts = rules.breakdown(farm, person)
        #expect(
            parts.map(\.rule) == [
                "occupation", "languages", "experience", "education", "skills", "destination", "availability",
                "drivingLicences",
            ])
        #expect(parts.first { $0.rule == "languages" }?.score == 50)
        #expect(parts.reduce(0) { $0 + $1.weight } == 100)
        #expect(parts.allSatisfy { !$0.reason.isEmpty })
    }
}

/// A plugin that weighs nothing: with it in the set, scores go through `MatchingRule`.
struct NeutralRule: MatchingRule {
    let name = "neutral"
    func evaluate(_ offer: OfferFeatures, _ candidate: CandidateFeatures) -> RuleOutcome { .score(0.5) }
    func reason(_ offer: OfferFeatures, _ candidate: CandidateFeatures) -> String { "neutre / neutral" }
}

@Suite("RuleSet: the built-in rules' fast path scores exactly as the plugin protocol does")
struct FusedScoringTests {
    @Test("on 6,000 random pairs, with weights and a hard rule, both paths agree")
    func fusedEqualsGeneric() {
        var rng = SplitMix64(seed: 7)
        let others = [
            WeightedRule(LanguagesRule(), weight: 15), WeightedRule(ExperienceRule(), weight: 10, hard: true),
            WeightedRule(EducationRule(), weight: 12), WeightedRule(SkillsRule(), weight: 10),
            WeightedRule(DestinationRule(), weight: 5), WeightedRule(AvailabilityRule(), weight: 5),
            WeightedRule(LicencesRule(), weight: 5),
        ]
        let fast = RuleSet(occupationWeight: 40, others: others, threshold: 0)
        let generic = RuleSet(
            occupationWeight: 40, others: others + [WeightedRule(NeutralRule(), weight: 0)], threshold: 0)
        var excluded = 0
        var scored = 0
        let offers = (0..<60).map { OfferFeatures(Random.job($0, &rng)) }
        let people = (0..<100).map { CandidateFeatures(Random.person($0, &rng)) }
        for offer in offers {
            for person in people {
                let a = fast.score(offer, person)
                #expect(a == generic.score(offer, person), "\(offer.id) × \(person.id)")
                if a == nil { excluded += 1 } else { scored += 1 }
            }
        }
        #expect(excluded > 100 && scored > 100, "both outcomes occur: \(excluded) excluded, \(scored) scored")
    }
}
