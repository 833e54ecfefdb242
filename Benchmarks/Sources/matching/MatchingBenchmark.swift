import ArgumentParser
import BenchmarkSupport
import Foundation
import GRDB
import Matching
import Messages
import SeededRandom

/// `matching`: the matcher's index against scanning every candidate and against SQLite.
@main
struct MatchingBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "matching",
        abstract: "Time to match one new offer and one new candidate: index vs full scan vs SQLite query.",
        discussion: """
            For each candidate count: the rebuild (SQLite rows → JSON → features → index), then p50/p99 of
            matching one new offer (index, full scan, SQL) and of matching one new candidate against every
            open offer, and the process's memory. Every alternative's ranking is compared with the index's.
            """)

    @Option(help: "Candidate counts, comma-separated.")
    var candidates = "100000,1000000"

    @Option(name: .customLong("open-offers"), help: "Open offers in the index.")
    var openOffers = 5_000

    @Option(help: "New offers timed with the index, and new candidates timed against the open offers.")
    var queries = 1_000

    @Option(name: .customLong("scan-queries"), help: "New offers timed with the full scan and with SQLite.")
    var slowQueries = 100

    @Option(help: "Seed of the synthetic data.")
    var seed: UInt64 = 2027

    func run() throws {
        #if DEBUG
            print("DEBUG build: numbers are meaningless, use -c release")
        #endif
        let counts = candidates.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        print(
            "matching: \(openOffers) open offers, \(queries) new offers and candidates timed with the index, "
                + "\(slowQueries) new offers with the full scan and SQLite; rules: \(RuleSet.standard.others.count + 1), "
                + "threshold \(RuleSet.standard.threshold), keep 3 × positions (≤ 1,000)")
        print("machine: nproc \(ProcessInfo.processInfo.activeProcessorCount), \(Memory.cpuModel())")
        var summaries: [String] = []
        for count in counts {
            summaries.append(try measure(candidateCount: count))
        }
        print("\nsummary")
        for line in summaries { print(line) }
        print("peak RSS of the process (VmHWM): \(Memory.megabytes(Memory.status("VmHWM"))) MiB")
    }

    func measure(candidateCount: Int) throws -> String {
        print("\n== \(Report.count(candidateCount)) candidates ==")
        // Seeded, so every run draws the same data.
        var rng = SplitMix64(seed: seed)
        let profiles = (0..<candidateCount).map { Synthetic.candidate($0, &rng) }
        let offers = (0..<openOffers).map { Synthetic.offer($0, &rng) }
        let newOffers = (0..<queries).map { Synthetic.offer(openOffers + $0, &rng) }
        let newCandidates = (0..<queries).map { Synthetic.candidate(candidateCount + $0, &rng) }
        let folder = (NSTemporaryDirectory() as NSString).appendingPathComponent(
            "matching-\(getpid())-\(candidateCount)")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }

        // Rebuild as the matcher does at start: its candidates table (canonical JSON), decoded,
        // turned into features and filed in the index.
        let store = try DatabaseQueue(path: (folder as NSString).appendingPathComponent("matcher.sqlite"))
        try store.write { db in
            try db.execute(sql: "CREATE TABLE candidates (id TEXT PRIMARY KEY NOT NULL, profile BLOB NOT NULL)")
            for profile in profiles {
                try db.cachedStatement(sql: "INSERT INTO candidates (id, profile) VALUES (?, ?)").execute(
                    arguments: [profile.id, Data(try CanonicalJSON.encode(profile))])
            }
        }
        let rssBefore = Memory.status("VmRSS")
        let rebuildStart = ContinuousClock.now
        let index = MatchIndex(rules: .standard)
        let features = try store.read { db in
            try Data.fetchAll(db, sql: "SELECT profile FROM candidates").map {
                CandidateFeatures(try CanonicalJSON.decode(CandidateProfile.self, from: $0))
            }
        }
        index.load(features)
        let rebuild = ContinuousClock.now - rebuildStart
        let decoded = profiles.map(CandidateFeatures.init)
        let rssBeforeSecond = Memory.status("VmRSS")
        let indexOnlyStart = ContinuousClock.now
        let second = MatchIndex(rules: .standard)
        second.load(decoded)
        let indexOnly = ContinuousClock.now - indexOnlyStart
        let oneIndex = Memory.status("VmRSS") - rssBeforeSecond
        _ = second.candidateCount
        for offer in offers { index.upsert(OfferFeatures(offer)) }
        let rssAfter = Memory.status("VmRSS")
        print(
            "rebuild from SQLite (read, decode JSON, index): \(Report.seconds(rebuild)); "
                + "index alone from decoded profiles: \(Report.seconds(indexOnly)), "
                + "+\(Memory.megabytes(oneIndex)) MiB of RSS for its lists and slots; "
                + "RSS \(Memory.megabytes(rssBefore)) → \(Memory.megabytes(rssAfter)) MiB (two indexes alive)")

        let policy = { (offer: Offer) in min(1_000, max(1, offer.positions) * 3) }

        // One new offer, with the index.
        var indexed: [Duration] = []
        var results: [String: [Ranked]] = [:]
        var matchedCounts: [Int] = []
        for offer in newOffers {
            let features = OfferFeatures(offer)
            let start = ContinuousClock.now
            let ranked = index.match(features, limit: policy(offer))
            indexed.append(ContinuousClock.now - start)
            results[offer.id] = ranked
            matchedCounts.append(ranked.count)
        }
        // The same with a full scan, and with SQLite, on the first offers.
        let slow = Array(newOffers.prefix(slowQueries))
        // The index again on exactly the offers the alternatives get, for fair ratios.
        var indexedSame: [Duration] = []
        for offer in slow {
            let features = OfferFeatures(offer)
            let start = ContinuousClock.now
            _ = index.match(features, limit: policy(offer))
            indexedSame.append(ContinuousClock.now - start)
        }
        var scanned: [Duration] = []
        var scanAgrees = 0
        for offer in slow {
            let start = ContinuousClock.now
            let ranked = index.matchByScanning(OfferFeatures(offer), limit: policy(offer))
            scanned.append(ContinuousClock.now - start)
            if ranked == results[offer.id] { scanAgrees += 1 }
        }
        let sqlite = try SQLiteAlternative(path: (folder as NSString).appendingPathComponent("alternative.sqlite"))
        let loadStart = ContinuousClock.now
        try sqlite.load(profiles)
        let sqliteLoad = ContinuousClock.now - loadStart
        var queried: [Duration] = []
        var sqlAgrees = 0
        var firstDisagreement: String?
        for offer in slow {
            let start = ContinuousClock.now
            let ranked = try sqlite.match(offer, limit: policy(offer), threshold: RuleSet.standard.threshold)
            queried.append(ContinuousClock.now - start)
            if ranked.map(\.candidateId) == results[offer.id]?.map(\.candidateId) {
                sqlAgrees += 1
            } else if firstDisagreement == nil {
                firstDisagreement =
                    "\(offer.id): SQL \(ranked.prefix(3).map { "\($0.candidateId) \($0.score)" }) "
                    + "index \((results[offer.id] ?? []).prefix(3).map { "\($0.candidateId) \($0.score)" })"
            }
        }

        // One new candidate against every open offer.
        var perCandidate: [Duration] = []
        var offersFound: [Int] = []
        for profile in newCandidates {
            let start = ContinuousClock.now
            let found = index.offers(for: CandidateFeatures(profile))
            perCandidate.append(ContinuousClock.now - start)
            offersFound.append(found.count)
        }

        let index50 = Report.percentile(indexed, 0.5)
        let index99 = Report.percentile(indexed, 0.99)
        let scan50 = Report.percentile(scanned, 0.5)
        let scan99 = Report.percentile(scanned, 0.99)
        let sql50 = Report.percentile(queried, 0.5)
        let sql99 = Report.percentile(queried, 0.99)
        let same50 = Report.percentile(indexedSame, 0.5)
        let same99 = Report.percentile(indexedSame, 0.99)
        print(
            Report.table(
                ["one new offer", "offers", "p50", "p99", "max", "kept per offer (median)"],
                [
                    [
                        "index", "\(indexed.count)", Report.ms(index50), Report.ms(index99), Report.ms(indexed.max()!),
                        "\(Report.median(matchedCounts))",
                    ],
                    [
                        "index, the same offers as below", "\(indexedSame.count)",
                        Report.ms(Report.percentile(indexedSame, 0.5)), Report.ms(Report.percentile(indexedSame, 0.99)),
                        Report.ms(indexedSame.max()!), "",
                    ],
                    [
                        "full scan, same rules", "\(scanned.count)", Report.ms(scan50), Report.ms(scan99),
                        Report.ms(scanned.max()!), "agrees with the index on \(scanAgrees)/\(slow.count)",
                    ],
                    [
                        "SQLite query, indexed", "\(queried.count)", Report.ms(sql50), Report.ms(sql99),
                        Report.ms(queried.max()!), "agrees with the index on \(sqlAgrees)/\(slow.count)",
                    ],
                ]))
        if let firstDisagreement { print("first SQL disagreement: \(firstDisagreement)") }
        print(
            "SQLite alternative: loaded in \(Report.seconds(sqliteLoad)); "
                + "ratios on the same offers (p99): full scan / index \(Report.ratio(scan99, same99)), SQLite / index "
                + "\(Report.ratio(sql99, same99)); (p50): \(Report.ratio(scan50, same50)), \(Report.ratio(sql50, same50))"
        )
        let candidate50 = Report.percentile(perCandidate, 0.5)
        let candidate99 = Report.percentile(perCandidate, 0.99)
        print(
            "one new candidate against \(openOffers) open offers: p50 \(Report.ms(candidate50)), "
                + "p99 \(Report.ms(candidate99)); offers matched (median) \(Report.median(offersFound))")
        let aim = index99 < .milliseconds(20) ? "MET" : "NOT MET"
        return
            "\(Report.count(candidateCount)) candidates: new offer p50 \(Report.ms(index50)) p99 \(Report.ms(index99)) "
            + "(scan p99 \(Report.ms(scan99)), SQLite p99 \(Report.ms(sql99))); new candidate p99 "
            + "\(Report.ms(candidate99)); rebuild \(Report.seconds(rebuild)); RSS after build "
            + "\(Memory.megabytes(rssAfter)) MiB; aim p99 < 20 ms: \(aim)"
    }
}

enum Report {
    static func percentile(_ values: [Duration], _ fraction: Double) -> Duration {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .zero }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * fraction).rounded()))]
    }

    static func median(_ values: [Int]) -> Int {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }

    static func ms(_ duration: Duration) -> String {
        String(format: "%.3f ms", duration / .milliseconds(1))
    }

    static func seconds(_ duration: Duration) -> String {
        String(format: "%.2f s", duration / .seconds(1))
    }

    static func ratio(_ slower: Duration, _ faster: Duration) -> String {
        guard faster > .zero else { return "∞" }
        let ratio = slower / faster
        return String(format: ratio < 10 ? "%.1f×" : "%.0f×", ratio)
    }

    static func count(_ value: Int) -> String { Figures.grouped(Double(value)) }

    static func table(_ header: [String], _ rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        func line(_ row: [String]) -> String {
            row.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }
        return
            ([line(header), String(repeating: "-", count: widths.reduce(0, +) + 2 * (widths.count - 1))]
            + rows.map(line)).joined(separator: "\n")
    }
}

enum Memory {
    /// A line of /proc/self/status in kB (VmRSS, VmHWM); 0 when absent.
    static func status(_ key: String) -> Int { Machine.status(key) ?? 0 }

    static func megabytes(_ kilobytes: Int) -> Int { kilobytes / 1024 }

    static func cpuModel() -> String { Machine.cpuModel() }
}
