import Foundation
import GRDB
import Messages
import ServiceKit
import ServiceTesting
import Synchronization
import Testing

@Suite(
    "passerelle backup and restore: consistent copies, refusals that change nothing", .serialized,
    .timeLimit(.minutes(4)))
struct BackupRestoreTests {
    @Test("a backup taken under write load: every copy passes integrity_check and its outbox agrees with its data")
    func backupUnderLoad() async throws {
        // compose/dev's layout: one root, a folder per service.
        let root = scratchDirectory("backup-root")
        let broker = try await RunningBroker.start()
        let offers = try await RunningService.start(
            "offer-registry", broker: broker, dataDirectory: root + "/offer-registry")
        let candidates = try await RunningService.start(
            "candidate-registry", broker: broker, dataDirectory: root + "/candidate-registry")
        let posted = Mutex(0)
        let stop = Mutex(false)
        let load = Task {
            var number = 0
            while !stop.withLock({ $0 }) {
                number += 1
                let offer = try await request(
                    "POST", offers.base + "/offers",
                    json: sampleOffer(["employer.registration": .string("B21\(number)")]))
                let person = try await request(
                    "POST", candidates.base + "/candidates",
                    json: sampleCandidate(["contact.phone": .string("+2237\(String(format: "%07d", number))")]))
                #expect(offer.status == 201 && person.status == 201, "\(offer.text) \(person.text)")
                posted.withLock { $0 += 1 }
            }
        }
        defer { load.cancel() }
        try await waitUntil("20 offers and candidates written", timeout: .seconds(60)) { posted.withLock { $0 } >= 20 }
        let backups = scratchDirectory("backups")
        let folder = try await BackupTool.backup(into: backups, dataDirectories: [root])
        let atBackup = posted.withLock { $0 }
        // The services went on writing during and after the copy.
        try await waitUntil("more writes after the backup", timeout: .seconds(60)) {
            posted.withLock { $0 } >= atBackup + 5
        }
        stop.withLock { $0 = true }
        try await load.value

        // Only the finished folder is there: no temporary name left behind.
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: backups) == [(folder as NSString).lastPathComponent])
        let manifest = try BackupTool.manifest(folder)
        let entries = manifest["databases"]?.elements ?? []
        #expect(entries.compactMap { $0["service"]?.string } == ["candidate-registry", "offer-registry"])
        for entry in entries {
            let file = folder + "/" + (entry["file"]?.string ?? "?")
            #expect(entry["integrity"]?.string == "ok")
            #expect(entry["sha256"]?.string == (try BackupTool.sha256(file)), "\(file)")
            #expect(try readDatabase(file) { try String.fetchAll($0, sql: "PRAGMA integrity_check") } == ["ok"])
        }
        // The copy is one commit's state: each outbox numbers its rows 1…latest without a gap,
        // the manifest gives that latest, and the rows describe exactly the records stored.
        let offerCopy = folder + "/offer-registry.sqlite"
        let (offerIds, offerRecords, offerSeqs) = try readDatabase(offerCopy) { db in
            (
                Set(try String.fetchAll(db, sql: "SELECT id FROM offers WHERE status != 'pending'")),
                Set(try String.fetchAll(db, sql: "SELECT record FROM outbox WHERE stream = 'offer'")),
                try Int64.fetchAll(db, sql: "SELECT seq FROM outbox WHERE stream = 'offer' ORDER BY seq")
            )
        }
        #expect(offerSeqs == Array(1...Int64(offerSeqs.count)))
        let offerEntry = entries.first { $0["service"]?.string == "offer-registry" }
        let announced: JSONValue? = offerEntry?["outbox"]?["offer"]
        #expect(announced == JSONValue.int(Int64(offerSeqs.count)))
        // Each offer posted is open (a different employer each time): one outbox record apiece.
        #expect(
            offerIds == offerRecords && offerIds.count >= 20,
            "\(offerIds.count) open, \(offerRecords.count) in the outbox")
        let candidateCopy = folder + "/candidate-registry.sqlite"
        let (candidateIds, candidateRecords) = try readDatabase(candidateCopy) { db in
            (
                Set(try String.fetchAll(db, sql: "SELECT id FROM candidates")),
                Set(try String.fetchAll(db, sql: "SELECT record FROM outbox WHERE stream = 'candidate'"))
            )
        }
        #expect(candidateIds == candidateRecords && candidateIds.count >= 20)
        // Taken while writing: the live databases hold more than the copies.
        let live = try readDatabase(root + "/offer-registry/offer-registry.sqlite") { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM offers") ?? 0
        }
        #expect(live > offerIds.count)
        _ = (broker, offers, candidates)
    }

    @Test("restore refuses a running service, an altered copy and a bad manifest, changing nothing; then restores")
    func refusals() async throws {
        let root = scratchDirectory("restore-root")
        let folder = root + "/offer-registry"
        let database = folder + "/offer-registry.sqlite"
        let broker = try await RunningBroker.start()
        var offers = try await RunningService.start("offer-registry", broker: broker, dataDirectory: folder)
        for number in 1...3 {
            let posted = try await request(
                "POST", offers.base + "/offers", json: sampleOffer(["employer.registration": .string("B25\(number)")]))
            #expect(posted.status == 201)
        }
        let backup = try await BackupTool.backup(into: scratchDirectory("restore-backups"), dataDirectories: [root])
        for number in 4...5 {
            let posted = try await request(
                "POST", offers.base + "/offers", json: sampleOffer(["employer.registration": .string("B25\(number)")]))
            #expect(posted.status == 201)
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()

        // While it runs: refused, named, nothing moved.
        let (running, runningError) = try await BackupTool.restore(backup)
        #expect(running == .exited(1), "\(runningError)")
        #expect(runningError.contains("offer-registry") && runningError.contains("stop the service"), "\(runningError)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == names)
        #expect(try readDatabase(database) { try Outbox.latest(stream: "offer", $0) } == 5)

        offers.process.signal(SIGTERM)
        #expect(try await offers.process.waitForExit(timeout: .seconds(20)) == .exited(0))
        let before = try BackupTool.fingerprint(folder)

        // A copy altered after the backup (one byte flipped): refused, naming the file and why.
        let altered = scratchDirectory("restore-altered")
        try FileManager.default.removeItem(atPath: altered)
        try FileManager.default.copyItem(atPath: backup, toPath: altered)
        let copy = altered + "/offer-registry.sqlite"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: copy))
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: copy))
        let (flipped, flippedError) = try await BackupTool.restore(altered)
        #expect(flipped == .exited(1))
        #expect(flippedError.contains(copy) && flippedError.contains("SHA-256"), "\(flippedError)")

        // A manifest naming a file outside its folder, and a service it does not hold.
        let manifestPath = altered + "/manifest.json"
        let manifest = try String(contentsOfFile: manifestPath, encoding: .utf8)
        try manifest.replacingOccurrences(
            of: "\"file\" : \"offer-registry.sqlite\"", with: "\"file\" : \"../offer-registry.sqlite\""
        )
        .write(toFile: manifestPath, atomically: true, encoding: .utf8)
        let (escaping, escapingError) = try await BackupTool.restore(altered)
        #expect(escaping == .exited(1))
        #expect(escapingError.contains("databases[0].file"), "\(escapingError)")
        let (unknown, unknownError) = try await BackupTool.restore(backup, ["--service", "matcher"])
        #expect(unknown == .exited(1))
        #expect(unknownError.contains("--service matcher"), "\(unknownError)")
        #expect(try BackupTool.fingerprint(folder) == before, "a refused restore changed the data folder")

        // Stopped, and a sound copy: restored, the replaced file kept aside, numbering past it.
        // Installed, the service runs as its own user: the new file is the old one's owner's.
        try FileManager.default.setAttributes(
            [.ownerAccountID: 65534, .groupOwnerAccountID: 65534, .posixPermissions: 0o640], ofItemAtPath: database)
        let (restored, restoredError) = try await BackupTool.restore(backup)
        #expect(restored == .exited(0), "\(restoredError)")
        // The new file without -wal or -shm, the old one aside, nothing half-done left.
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        let kept = files.filter { $0.hasPrefix("offer-registry.sqlite.replaced-") && !$0.hasSuffix("-wal") }
        #expect(
            kept.count == 1
                && files.filter { !$0.hasPrefix("offer-registry.sqlite.replaced-") } == ["offer-registry.sqlite"],
            "\(files)")
        #expect(try readDatabase(folder + "/" + kept[0]) { try Outbox.latest(stream: "offer", $0) } == 5)
        #expect(try readDatabase(database) { try Outbox.latest(stream: "offer", $0) } == 3)
        let owner = try FileManager.default.attributesOfItem(atPath: database)
        #expect(owner[.ownerAccountID] as? Int == 65534 && owner[.posixPermissions] as? Int == 0o640, "\(owner)")

        offers = try await RunningService.start("offer-registry", broker: broker, dataDirectory: folder)
        let observer = try BusObserver(broker, prefixes: ["offer."])
        defer { Task { await observer.close() } }
        try await observer.waitUntilConnected(to: "offer-registry")
        let next = try await request(
            "POST", offers.base + "/offers", json: sampleOffer(["employer.registration": "B43000001"]))
        let id = try #require(next.json?["id"]?.string)
        let published = try await observer.event(Topic.offerPublished) {
            if case .offerPublished(let offer) = $0.payload { offer.id == id } else { false }
        }
        // Past both the backup's 3 and the lost copy's 5: readers that applied 4 and 5 apply it.
        #expect(published.seq == 5 + OutboxFloor.restoreMargin + 1)
    }
}
