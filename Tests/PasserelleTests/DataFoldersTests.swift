import Foundation
import Testing

@testable import passerelle

@Suite("Finding this host's service databases: compose/dev's and compose/install's layouts")
struct DataFoldersTests {
    @Test("a root of service folders, an instance's folder, and one service's own folder")
    func layouts() throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        for (folder, service) in [("matcher", "matcher"), ("matcher@kayes", "matcher"), ("notifier", "notifier")] {
            try FileManager.default.createDirectory(atPath: "\(root.path)/\(folder)", withIntermediateDirectories: true)
            _ = try root.file("\(folder)/\(service).sqlite", "")
        }
        // Neither a kept file nor a folder without a service's database is taken.
        _ = try root.file("matcher/matcher.sqlite.replaced-20261201T081503.123Z", "")
        try FileManager.default.createDirectory(atPath: root.path + "/logs", withIntermediateDirectories: true)
        let found = try DataFolders.find(in: [root.path])
        #expect(found.map(\.label) == ["matcher", "matcher@kayes", "notifier"])
        #expect(found.map(\.service) == ["matcher", "matcher", "notifier"])
        #expect(try DataFolders.find(in: [root.path + "/matcher@kayes"]).map(\.label) == ["matcher"])

        // Restoring under a root: each label goes back to its own folder.
        let targets = try DataFolders.targets(in: [root.path])
        #expect(targets.path(label: "matcher@kayes", service: "matcher") == root.path + "/matcher@kayes/matcher.sqlite")
        #expect(targets.path(label: "statistics", service: "statistics") == nil)
    }

    @Test("no database, a missing folder, or one label twice: refused, saying which")
    func refusals() throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        #expect(throws: DataFolders.Failure.self) { try DataFolders.find(in: [root.path]) }
        #expect(throws: DataFolders.Failure.self) { try DataFolders.find(in: [root.path + "/absent"]) }
        let other = try TemporaryDirectory()
        defer { other.remove() }
        _ = try root.file("matcher.sqlite", "")
        _ = try other.file("matcher.sqlite", "")
        do {
            _ = try DataFolders.find(in: [root.path, other.path])
            Issue.record("two matcher databases under one label were accepted")
        } catch {
            #expect("\(error)".contains("matcher") && "\(error)".contains(other.path), "\(error)")
        }
        #expect(DataFolders.folders(given: [], environment: ["PASSERELLE_DATA_DIR": "/srv/p"]) == ["/srv/p"])
    }

    @Test("a manifest naming a path outside its folder, an unknown service or a bad digest is refused by field")
    func manifestChecks() throws {
        let entry = BackupManifest.Entry(
            service: "matcher", kind: "matcher", file: "matcher.sqlite",
            source: "/var/lib/passerelle/matcher/matcher.sqlite",
            time: "2026-12-01T08:15:03.123Z", bytes: 1, sha256: String(repeating: "a", count: 64), integrity: "ok",
            outbox: ["match": 3], inbox: [:])
        let good = BackupManifest(format: 1, createdAt: entry.time, host: "h", databases: [entry])
        try good.validate()
        func field(_ change: (inout BackupManifest.Entry) -> Void) -> String? {
            var bad = entry
            change(&bad)
            do {
                try BackupManifest(format: 1, createdAt: entry.time, host: "h", databases: [bad]).validate()
                return nil
            } catch {
                return "\(error)"
            }
        }
        #expect(field { $0.file = "../matcher.sqlite" }?.contains("databases[0].file") == true)
        #expect(field { $0.file = "/etc/passwd" }?.contains("databases[0].file") == true)
        #expect(field { $0.kind = "bus-broker" }?.contains("databases[0].kind") == true)
        #expect(field { $0.sha256 = "zz" }?.contains("databases[0].sha256") == true)
        #expect(field { $0.service = "../x" }?.contains("databases[0].service") == true)
        // Restore puts the file back at `source`: never anything but a service's database.
        #expect(field { $0.source = "/etc/shadow" }?.contains("databases[0].source") == true)
        #expect(field { $0.source = "/var/lib/../../etc/matcher.sqlite" }?.contains("databases[0].source") == true)
        #expect(field { $0.source = "matcher.sqlite" }?.contains("databases[0].source") == true)
    }
}
