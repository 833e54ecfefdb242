import Foundation
import Messages
import ServiceTesting
import Testing

@Suite("passerelle import and demo against the real registries", .serialized, .timeLimit(.minutes(3)))
struct PasserelleCLITests {
    static let candidatesCSV = """
        name.given,name.family,gender,birthYear,region,residence,contact.phone,contact.preferredChannel,contact.language,occupations,experienceYears,education,languages,destinations,availableFrom,consent.matching,consent.notifications,consent.statistics
        Moussa,Traoré,M,1990,ML-BKO,ML,+22376000001,sms,fr,7112;9313,6,2,fr:B1;bm:C2,FR;ES,2027-01-01,true,true,true
        Awa,Diarra,F,1998,ML-99,ML,+22376000002,sms,bm,5120,2,1,bm:C2,,2027-02-01,oui,oui,non
        Seydou,Keïta,M,1985,ML-3,CI,+22507000003,sms,fr,8322,10,3,fr:B2,CA,2027-01-15,true,false,true
        Fatoumata,Coulibaly,F,2001,ML-KITA,ML,0776000004,sms,fr,5322,1,3,fr:B1,,2027-03-01,true,true,true

        """

    @Test("an import stores the valid rows, writes the others to a rejects file, and a rerun creates nothing")
    func importCandidates() async throws {
        let broker = try await RunningBroker.start()
        let observer = try BusObserver(broker, prefixes: ["candidate."])
        defer { Task { await observer.close() } }
        let registry = try await RunningService.start(
            "candidate-registry", broker: broker, dataDirectory: scratchDirectory("cli-import"))
        try await observer.waitUntilConnected(to: "candidate-registry")
        let folder = scratchDirectory("cli-import-files")
        let file = (folder as NSString).appendingPathComponent("candidats.csv")
        try Self.candidatesCSV.write(toFile: file, atomically: true, encoding: .utf8)

        for run in 1...2 {
            let cli = try SpawnedProcess(
                "passerelle", ["import", "candidates", file, "--candidate-registry", registry.base])
            #expect(try await cli.waitForExit(timeout: .seconds(60)) == .exited(1), "run \(run): rows were rejected")
            let summary = cli.stdout
            // " 0 créés", not "0 créés": "20 créés" must not pass for nothing created.
            #expect(summary.contains(run == 1 ? " 2 créés" : " 0 créés"), "run \(run): \(summary)")
            #expect(summary.contains(run == 1 ? "0 déjà présents" : "2 déjà présents"), "run \(run): \(summary)")
            #expect(summary.contains("2 rejetés"), "run \(run): \(summary)")
            let rejects = try String(contentsOfFile: file + ".rejects.csv", encoding: .utf8)
            let lines = rejects.split(whereSeparator: \.isNewline)
            #expect(lines.count == 3, "header and two rejects:\n\(rejects)")
            // Rows are sent several at a time, so rejects come in the order the answers came.
            let faults = Set(lines.dropFirst().map { $0.split(separator: ",").prefix(2).joined(separator: ",") })
            #expect(faults == ["3,region", "5,contact.phone"], "\(rejects)")
        }
        // Two registrations in all: the rerun created nothing.
        _ = try await observer.event(Topic.candidateRegistered) { $0.profile?.region == "ML-3" }
        let registered = observer.events([Topic.candidateRegistered])
        #expect(registered.count == 2)
        #expect(Set(registered.compactMap { $0.profile?.residence }) == ["ML", "CI"])
    }

    @Test("a registry killed mid-import stops it within 30 s with 69; the rejects file holds no untried row")
    func registryKilled() async throws {
        let broker = try await RunningBroker.start()
        let registry = try await RunningService.start(
            "candidate-registry", broker: broker, dataDirectory: scratchDirectory("cli-killed"))
        let folder = scratchDirectory("cli-killed-files")
        let file = (folder as NSString).appendingPathComponent("candidats.jsonl")
        var lines = ""
        for index in 0..<20_000 {
            let row = sampleCandidate([
                "contact.phone": .string("+2237\(String(format: "%07d", index))"),
                "name.given": .string("Aminata \(index)"),
            ])
            lines += String(decoding: try CanonicalJSON.encode(row), as: UTF8.self) + "\n"
        }
        try lines.write(toFile: file, atomically: true, encoding: .utf8)
        let cli = try SpawnedProcess(
            "passerelle", ["import", "candidates", file, "--candidate-registry", registry.base, "--concurrency", "2"])
        try await Task.sleep(for: .seconds(2))
        #expect(cli.isRunning, "the import must still be running when its registry dies")
        registry.process.signal(SIGKILL)
        let killed = ContinuousClock.now
        #expect(try await cli.waitForExit(timeout: .seconds(30)) == .exited(69), "\(cli.stderr)")
        #expect(ContinuousClock.now - killed < .seconds(30))
        #expect(cli.stderr.contains("reprendre à la ligne"), "\(cli.stderr)")
        #expect(cli.stdout.contains("créés"), "the summary of what was done: \(cli.stdout)")
        #expect(!FileManager.default.fileExists(atPath: file + ".rejects.csv"), "no untried row is a reject")
    }

    @Test("an unknown column stops the import before any request, naming the column")
    func unknownColumn() async throws {
        let folder = scratchDirectory("cli-columns")
        let file = (folder as NSString).appendingPathComponent("offres.csv")
        try "title,salaire\nMaçon,1200\n".write(toFile: file, atomically: true, encoding: .utf8)
        // No registry runs at this address (a port held, never listening, that refuses every
        // connection): the file must be refused before anything is sent.
        let nobody = try RefusingPort()
        let cli = try SpawnedProcess("passerelle", ["import", "offers", file, "--offer-registry", nobody.url])
        #expect(try await cli.waitForExit(timeout: .seconds(30)) == .exited(64))
        #expect(cli.stderr.contains("salaire"), "\(cli.stderr)")
        withExtendedLifetime(nobody) {}
    }

    @Test("demo fills both registries through their APIs, and a second run creates nothing new")
    func demo() async throws {
        let broker = try await RunningBroker.start()
        let observer = try BusObserver(broker, prefixes: ["offer.", "candidate.", "contact."])
        defer { Task { await observer.close() } }
        let offers = try await RunningService.start(
            "offer-registry", broker: broker, dataDirectory: scratchDirectory("cli-demo-offers"))
        let candidates = try await RunningService.start(
            "candidate-registry", broker: broker, dataDirectory: scratchDirectory("cli-demo-candidates"))
        try await observer.waitUntilConnected(to: "offer-registry")
        try await observer.waitUntilConnected(to: "candidate-registry")
        let arguments = [
            "demo", "--offers", "20", "--candidates", "200", "--offer-registry", offers.base,
            "--candidate-registry", candidates.base,
        ]
        let first = try SpawnedProcess("passerelle", arguments)
        #expect(try await first.waitForExit(timeout: .seconds(120)) == .exited(0), "\(first.stdout)\n\(first.stderr)")
        let listing = try await request("GET", offers.base + "/offers?limit=1")
        #expect(listing.json?["total"] == .int(20))
        try await observer.events(Topic.candidateRegistered, count: 200)
        let second = try SpawnedProcess("passerelle", arguments)
        #expect(
            try await second.waitForExit(timeout: .seconds(120)) == .exited(0), "\(second.stdout)\n\(second.stderr)")
        #expect(try await request("GET", offers.base + "/offers?limit=1").json?["total"] == .int(20))
        #expect(second.stdout.contains("offers: 0 created"), "\(second.stdout)")
        #expect(second.stdout.contains("candidates: 0 created"), "\(second.stdout)")
        // No candidate was added: the registry's next heartbeat (sent after anything it
        // published before it) comes with still 200 registrations seen.
        let beats = observer.events([Topic.heartbeat(source: "candidate-registry")]).count
        try await observer.events(Topic.heartbeat(source: "candidate-registry"), count: beats + 1)
        #expect(observer.events([Topic.candidateRegistered]).count == 200)
        let destinations = Set(observer.events([Topic.offerPublished]).compactMap { $0.offer?.country })
        #expect(destinations.count >= 3, "offers from several countries: \(destinations)")
    }
}
