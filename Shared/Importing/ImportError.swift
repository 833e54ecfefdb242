/// What stops an import or a demo as a whole (a single bad row is a `RowProblem` instead).
/// Messages are for officers: French first, then English.
package enum ImportError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The input cannot be opened or read.
    case unreadableFile(path: String, reason: String)
    /// A CSV column that is no field of the kind: nothing is sent.
    case unknownColumn(name: String, kind: RecordKind)
    case repeatedColumn(name: String)
    /// `--format` not given and the extension says nothing.
    case unknownFormat(path: String)
    /// The rejects file or a `demo --write` file cannot be written.
    case unwritableFile(path: String, reason: String)
    case invalidURL(String)
    /// `--rejects` names the input itself: writing it would destroy what is being read.
    case rejectsOverwriteInput(path: String)
    /// Not one request got an answer, after retries.
    case registryUnreachable(url: String, reason: String)
    /// The registry answered, then stopped answering: the import stopped. `notTried` rows
    /// got no answer (none is in the rejects file); importing again from `resumeLine` sends them.
    case registryLost(url: String, reason: String, notTried: Int, resumeLine: Int, tally: ImportTally)
    /// 401 or 403: the registry wants an API key (`--api-key`), or refuses the one given.
    case notAuthorized(url: String, status: Int, message: String)

    /// The process exit status: 64 (EX_USAGE) for what the officer can fix in the command,
    /// 69 (EX_UNAVAILABLE) when the registry cannot be reached, 73 (EX_CANTCREAT) for output,
    /// 77 (EX_NOPERM) when the registry refuses the API key.
    package var exitStatus: Int32 {
        switch self {
        case .unreadableFile, .unknownColumn, .repeatedColumn, .unknownFormat, .invalidURL, .rejectsOverwriteInput: 64
        case .registryUnreachable, .registryLost: 69
        case .notAuthorized: 77
        case .unwritableFile: 73
        }
    }

    package var description: String {
        switch self {
        case .unreadableFile(let path, let reason):
            "impossible de lire \(path) / cannot read \(path): \(reason)"
        case .unknownColumn(let name, let kind):
            "colonne inconnue « \(name) » pour des \(kind.pluralFR) ; aucune ligne envoyée / "
                + "unknown column \"\(name)\" for \(kind.pluralEN); no row sent. "
                + "Colonnes admises / accepted columns: \(kind.columns.map(\.path).joined(separator: ","))"
        case .repeatedColumn(let name):
            "colonne « \(name) » en double ; aucune ligne envoyée / column \"\(name)\" repeated; no row sent"
        case .unknownFormat(let path):
            "format inconnu pour \(path) : utilisez --format csv|jsonl / "
                + "unknown format for \(path): use --format csv|jsonl"
        case .unwritableFile(let path, let reason):
            "impossible d’écrire \(path) / cannot write \(path): \(reason)"
        case .invalidURL(let url):
            "adresse de registre invalide « \(url) » / invalid registry URL \"\(url)\""
        case .rejectsOverwriteInput(let path):
            "le fichier des rejets serait l’entrée elle-même (\(path)) : choisissez un autre --rejects / "
                + "the rejects file would be the input itself (\(path)): choose another --rejects"
        case .registryUnreachable(let url, let reason):
            "registre injoignable à \(url) / registry unreachable at \(url): \(reason)"
        case .registryLost(let url, let reason, let notTried, let resumeLine, _):
            "registre devenu injoignable à \(url) ; import arrêté, \(notTried) lignes non essayées "
                + "(absentes du fichier des rejets), reprendre à la ligne \(resumeLine) / "
                + "registry at \(url) became unreachable; import stopped, \(notTried) rows not tried "
                + "(not in the rejects file), resume from line \(resumeLine): \(reason)"
        case .notAuthorized(let url, let status, let message):
            "accès refusé par le registre \(url) (HTTP \(status)) : donnez une clé d’API valide avec --api-key "
                + "ou PASSERELLE_API_KEY ; import arrêté / access refused by the registry at \(url) "
                + "(HTTP \(status)): give a valid API key with --api-key or PASSERELLE_API_KEY; import stopped"
                + (message.isEmpty ? "" : " (\(message))")
        }
    }
}
