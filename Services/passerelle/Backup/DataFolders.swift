import Foundation

/// The local services' databases, found in this host's data folders.
///
/// A service keeps `<service>.sqlite` in its own data folder (`--data-dir`). Both layouts put
/// those folders side by side under one root: compose/dev's `data/<service>/` and
/// compose/install's `/var/lib/passerelle/<service>/`. A folder given is either such a root
/// (each sub-folder holding one of the services' files is taken) or one service's own folder.
struct DataFolders {
    /// The services that keep a database, by file name.
    static let services = ["offer-registry", "candidate-registry", "matcher", "notifier", "statistics", "portail"]
    /// Where to look when nothing is given: compose/dev's folder, then compose/install's.
    static let defaultRoots = ["data", "/var/lib/passerelle"]

    /// One database found: `label` names it in the backup (the folder's name under a root, so
    /// that a second instance such as `matcher@kayes` keeps its own), `service` its file name.
    struct Database: Equatable {
        var label: String
        var service: String
        var path: String
    }

    enum Failure: Error, CustomStringConvertible {
        case notAFolder(String)
        case nothingFound([String])
        case twice(label: String, paths: [String])

        var description: String {
            switch self {
            case .notAFolder(let path):
                "--data-dir \(path) : dossier introuvable / no such folder"
            case .nothingFound(let folders) where folders.isEmpty:
                "aucun dossier de données : ni data/ ni /var/lib/passerelle ; donnez --data-dir / no data "
                    + "folder: neither data/ nor /var/lib/passerelle; give --data-dir"
            case .nothingFound(let folders):
                "aucune base de service dans \(folders.joined(separator: ", ")) (attendu : DOSSIER/<service>/"
                    + "<service>.sqlite ou DOSSIER/<service>.sqlite) / no service database in those folders "
                    + "(expected DIR/<service>/<service>.sqlite or DIR/<service>.sqlite)"
            case .twice(let label, let paths):
                "« \(label) » trouvé deux fois / found twice: \(paths.joined(separator: ", "))"
            }
        }
    }

    /// The folders given, else `PASSERELLE_DATA_DIR`, else the default roots that exist.
    static func folders(given: [String], environment: [String: String]) -> [String] {
        if !given.isEmpty { return given }
        if let folder = environment["PASSERELLE_DATA_DIR"], !folder.isEmpty { return [folder] }
        return defaultRoots.filter { isFolder($0) }
    }

    /// Every database in `folders`, sorted by label; throws when there is none or a label
    /// comes twice.
    static func find(in folders: [String]) throws(Failure) -> [Database] {
        var found: [Database] = []
        for folder in folders {
            guard isFolder(folder) else { throw .notAFolder(folder) }
            let absolute = URL(fileURLWithPath: folder).standardizedFileURL.path
            let own = databases(inServiceFolder: absolute, label: nil)
            if !own.isEmpty {
                found += own
                continue
            }
            let children = (try? FileManager.default.contentsOfDirectory(atPath: absolute)) ?? []
            for child in children.sorted() where !child.hasPrefix(".") {
                let path = (absolute as NSString).appendingPathComponent(child)
                guard isFolder(path) else { continue }
                found += databases(inServiceFolder: path, label: child)
            }
        }
        guard !found.isEmpty else { throw .nothingFound(folders) }
        let byLabel = Dictionary(grouping: found, by: \.label)
        if let (label, twice) = byLabel.first(where: { $0.value.count > 1 }) {
            throw .twice(label: label, paths: twice.map(\.path))
        }
        return found.sorted { $0.label < $1.label }
    }

    /// The services' files in one service folder; `label` is the folder's name under a root
    /// (nil: the service's name labels it).
    private static func databases(inServiceFolder folder: String, label: String?) -> [Database] {
        let present = services.filter {
            FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent("\($0).sqlite"))
        }
        return present.map { service in
            // A folder holds one service's file; should it hold several, each keeps its name.
            let name = label.map { present.count == 1 ? $0 : "\($0)-\(service)" } ?? service
            return Database(
                label: name, service: service, path: (folder as NSString).appendingPathComponent("\(service).sqlite"))
        }
    }

    static func isFolder(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}

extension DataFolders {
    /// Where `restore --data-dir` puts each database back.
    struct Targets {
        let folders: [String]

        /// `label`'s file: in a root's sub-folder named `label`, else in a given folder that
        /// is the service's own (it holds the service's file, or bears the label's name).
        func path(label: String, service: String) -> String? {
            for folder in folders {
                let own = (folder as NSString).appendingPathComponent("\(service).sqlite")
                if FileManager.default.fileExists(atPath: own) || (folder as NSString).lastPathComponent == label {
                    return own
                }
                let child = (folder as NSString).appendingPathComponent(label)
                if DataFolders.isFolder(child) {
                    return (child as NSString).appendingPathComponent("\(service).sqlite")
                }
            }
            return nil
        }
    }

    static func targets(in folders: [String]) throws(Failure) -> Targets {
        for folder in folders where !isFolder(folder) { throw .notAFolder(folder) }
        return Targets(folders: folders.map { URL(fileURLWithPath: $0).standardizedFileURL.path })
    }
}
