import ArgumentParser
import Bus
import Foundation
import ServiceKit

/// `passerelle keys`: the bus's CURVE keys, its ACL, and the HTTP API keys.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Clés du bus et des API / bus and API keys",
        discussion: """
            init DIR crée les paires de clés CURVE du courtier et de chaque service, la liste des clés \
            autorisées et l’ACL par défaut. add NAME autorise une nouvelle instance ; revoke NAME la \
            retire : sa clé est refusée dès sa prochaine connexion, sans redémarrer le courtier.
            init DIR creates CURVE key pairs for the broker and every service, the authorised-keys list \
            and the default ACL. add NAME authorises a new instance; revoke NAME withdraws it: its key is \
            refused at its next connection, without restarting the broker.
            """,
        subcommands: [Init.self, Add.self, Revoke.self, API.self])

    /// The identities `init` makes keys for: the broker, each service, and bus-tap.
    static let initialIdentities = [
        "bus-broker", "offer-registry", "candidate-registry", "matcher", "notifier", "statistics", "portail", "bus-tap",
    ]

    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Créer les clés d’un nouveau bus / create the keys of a new bus")

        @Argument(help: "Dossier des clés (créé, mode 0700) / keys folder (created, mode 0700)")
        var directory: String

        func run() throws {
            let keys = KeysDirectory(path: directory)
            if FileManager.default.fileExists(atPath: keys.authorizedKeysPath) {
                throw ValidationError(
                    "\(keys.authorizedKeysPath) existe déjà : rien n’est écrasé / already exists: nothing is overwritten"
                )
            }
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try keys.create(identities: KeysCommand.initialIdentities)
            print("clés créées / keys created: \(KeysCommand.initialIdentities.joined(separator: ", "))")
            print("dossier / folder: \(directory)")
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Autoriser une nouvelle identité / authorise a new identity (e.g. matcher@kayes)")

        @Argument(help: "Identité / identity (service name, or service@instance)")
        var name: String

        @Option(
            help: """
                Clé publique Z85 faite ailleurs / a Z85 public key made elsewhere (its secret stays there); \
                write --public-key=KEY: a Z85 key may begin with '-'
                """)
        var publicKey: String?

        @OptionGroup var location: KeysLocation

        func run() throws {
            guard Identity.isValid(name) else {
                throw ValidationError("NAME : a-z, 0-9, -, _ et @ / a-z, 0-9, -, _ and @ (e.g. matcher@kayes)")
            }
            let keys = try location.directory()
            var authorized = try keys.authorizedKeys()
            guard authorized.keys[name] == nil else {
                throw ValidationError("\(name) est déjà autorisé / is already authorised (revoke it first)")
            }
            let publicKey: String
            if let given = self.publicKey {
                do { try CurveKeyPair.validate(given, name: "publicKey") } catch {
                    throw ValidationError("--public-key : \(error)")
                }
                publicKey = given
            } else {
                publicKey = try keys.makeKeyPair(for: name).publicKey
            }
            authorized.add(identity: name, publicKey: publicKey)
            try keys.save(authorized)
            print("\(name) autorisé / authorised: \(publicKey)")
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Retirer une identité : refusée dès sa prochaine connexion / revoke an identity")

        @Argument(help: "Identité / identity")
        var name: String

        @OptionGroup var location: KeysLocation

        func run() throws {
            let keys = try location.directory()
            var authorized = try keys.authorizedKeys()
            guard authorized.remove(identity: name) else {
                throw ValidationError("\(name) n’est pas autorisé / is not authorised")
            }
            try keys.save(authorized)
            // The secret key is of no use any more; leaving it would invite mistakes.
            try? FileManager.default.removeItem(atPath: keys.secretKeyPath(name))
            print("\(name) révoqué / revoked")
        }
    }
}

/// Where the keys are: `--keys-dir`, else `PASSERELLE_KEYS_DIR`.
struct KeysLocation: ParsableArguments {
    @Option(name: .customLong("keys-dir"), help: "Dossier des clés / keys folder (PASSERELLE_KEYS_DIR)")
    var keysDir: String?

    func directory() throws -> KeysDirectory {
        guard let path = keysDir ?? ProcessInfo.processInfo.environment["PASSERELLE_KEYS_DIR"], !path.isEmpty else {
            throw ValidationError("--keys-dir ou PASSERELLE_KEYS_DIR requis / --keys-dir or PASSERELLE_KEYS_DIR needed")
        }
        return KeysDirectory(path: path)
    }
}
