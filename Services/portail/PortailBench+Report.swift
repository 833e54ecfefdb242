import Foundation
import Messages
import ServiceKit

/// What `portail bench` prints: its header, a line per round, the table and where the time goes.
enum PortailBenchReport {
    /// A series of timings: a page, its yardstick, or a reference.
    enum Series: Hashable {
        case page(BenchPage)
        case owners(BenchPage)
        /// One of a page's owners' calls, timed alone within its yardstick.
        case call(BenchPage, Int)
        /// `GET /health`: a round trip to Portail, no session.
        case hop
        /// `GET /`: the door's session read and the layout around an almost empty page.
        case door
    }

    /// Writes one line to stdout at once, even into a pipe, so that a long run shows its progress.
    static func say(_ text: String = "") {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static func header(_ setting: BenchSetting, http: BenchHTTP, requests: Int, rounds: Int, warmUp: Int) -> String {
        #if DEBUG
            let build = "DEBUG build of portail: numbers are meaningless, use -c release"
        #else
            let build = "release build"
        #endif
        let counts = setting.matchCounts.sorted()
        let chosen =
            counts.isEmpty
            ? "given by --offer"
            : "the most of any open offer; per open offer: median \(Int(BenchFigures.median(counts.map(Double.init)))), "
                + "max \(counts.last ?? 0), \(counts.filter { $0 == 0 }.count) with none"
        let calls = BenchPage.allCases.map { page in
            let list = page.ownerCalls(http.owners, offer: setting.offer.id, ranked: setting.ranked)
            let names = list.map { label($0, setting) }
            return "\(page.rawValue) → \(list.count) call(s): \(names.joined(separator: ", "))"
        }
        return """
            portail bench: \(rounds) round(s) of \(grouped(requests)) turns after \(warmUp) untimed, one request at a time; \(build)
            machine: nproc \(ProcessInfo.processInfo.activeProcessorCount), \(BenchFigures.cpuModel()), \
            \(ProcessInfo.processInfo.operatingSystemVersionString); \(loadAverage())
            owners: \(grouped(setting.offers)) offers (\(grouped(setting.open)) open, \(grouped(setting.offers - setting.open)) \
            held for review); the matcher's index: \(setting.index)
            owners' API keys: \(http.owners.apiKey == nil ? "none (security off)" : "yes (PASSERELLE_PORTAIL_API_KEY)")
            measured offer: \(setting.offer.reference ?? setting.offer.id) (\(setting.offer.positions) positions), \
            \(setting.matches) matches (\(chosen)); its page shows the first \(setting.ranked.count)
            yardstick: the owners' calls each page makes, from this process with Portail's headers:
              \(calls.joined(separator: "\n  "))
            """
    }

    /// `GET /offers/{id}`: a call's path without its query, the offer's id as `{id}`.
    static func label(_ call: OwnerCall, _ setting: BenchSetting) -> String {
        let path = call.path.replacingOccurrences(of: setting.offer.id, with: "{id}")
        return "GET " + (path.firstIndex(of: "?").map { String(path[..<$0]) } ?? path)
    }

    static func roundLine(_ index: Int, of rounds: Int, _ timings: [Series: [Double]]) -> String {
        let parts = BenchPage.allCases.map { page in
            "\(page.rawValue) p50 \(ms(percentile(timings[.page(page)], 0.5))) "
                + "(owners \(ms(percentile(timings[.owners(page)], 0.5))))"
        }
        return "round \(index)/\(rounds): " + parts.joined(separator: ", ")
            + ", GET /health \(ms(percentile(timings[.hop], 0.5))), GET / \(ms(percentile(timings[.door], 0.5)))"
    }

    /// The median over the rounds of each round's percentile `p` of a series, in milliseconds.
    static func figure(_ rounds: [[Series: [Double]]], _ series: Series, _ p: Double) -> Double {
        BenchFigures.median(rounds.map { percentile($0[series], p) })
    }

    static func table(_ rounds: [[Series: [Double]]]) -> String {
        let header = ["page", "p50 ms", "p99 ms", "owners p50", "owners p99", "ratio p50", "ratio p99"]
        var rows = BenchPage.allCases.map { page -> [String] in
            let mine = (figure(rounds, .page(page), 0.5), figure(rounds, .page(page), 0.99))
            let theirs = (figure(rounds, .owners(page), 0.5), figure(rounds, .owners(page), 0.99))
            return [
                page.rawValue, ms(mine.0), ms(mine.1), ms(theirs.0), ms(theirs.1),
                String(format: "%.2f", mine.0 / theirs.0), String(format: "%.2f", mine.1 / theirs.1),
            ]
        }
        for (name, series) in [("GET /health (reference)", Series.hop), ("GET / (reference)", .door)] {
            rows.append([name, ms(figure(rounds, series, 0.5)), ms(figure(rounds, series, 0.99)), "", "", "", ""])
        }
        let turns = rounds.first?[.hop]?.count ?? 0
        return "medians over \(rounds.count) round(s) of \(grouped(turns)) requests per series; ratio = page / owners\n"
            + BenchFigures.table([header] + rows)
    }

    /// A page's p50 split into its parts, each timed apart (so only roughly additive).
    static func breakdown(
        _ rounds: [[Series: [Double]]], decoding: [BenchPage: [Double]], setting: BenchSetting, owners: BenchOwners
    ) -> String {
        let hop = figure(rounds, .hop, 0.5)
        let door = figure(rounds, .door, 0.5)
        var lines = ["where a page's p50 goes (parts timed apart, so roughly):"]
        for page in BenchPage.allCases {
            let total = figure(rounds, .page(page), 0.5)
            let yardstick = figure(rounds, .owners(page), 0.5)
            let decoded = percentile(decoding[page], 0.5)
            let rest = total - yardstick - door - decoded
            lines.append(
                "  \(page.rawValue): \(ms(total)) = owners' calls \(ms(yardstick)) + a round trip to Portail \(ms(hop)) "
                    + "+ the door's session read and the layout \(ms(door - hop)) + decoding the owners' JSON "
                    + "\(ms(decoded)) (in-process, Foundation's JSONDecoder) + the rest (values, Mustache, "
                    + "answer) \(ms(rest))")
            let calls = page.ownerCalls(owners, offer: setting.offer.id, ranked: setting.ranked)
            lines.append(
                "    its owners' calls one by one: "
                    + calls.enumerated().map { "\(label($1, setting)) \(ms(figure(rounds, .call(page, $0), 0.5)))" }
                    .joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }

    /// The machine's load (/proc/loadavg): other work on it weighs on every figure.
    static func loadAverage() -> String {
        let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? ""
        let averages = text.split(separator: " ").prefix(3).joined(separator: " ")
        return averages.isEmpty ? "load average unknown" : "load average \(averages) (1, 5, 15 min)"
    }

    static func percentile(_ values: [Double]?, _ p: Double) -> Double {
        BenchFigures.percentile(sorted: (values ?? []).sorted(), p)
    }

    static func ms(_ value: Double) -> String { String(format: "%.2f", value) }
    static func grouped(_ value: Int) -> String { BenchFigures.grouped(Double(value)) }
}
