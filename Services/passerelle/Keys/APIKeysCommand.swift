import ArgumentParser
import Foundation
import ServiceKit

extension APIKeys.Role: ExpressibleByArgument {}

extension KeysCommand {
    /// `passerelle keys api`: the HTTP API keys every service reads from the keys folder.
    struct API: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "api",
            abstract: "Clés des API HTTP / HTTP API keys",
            subcommands: [Create.self, List.self, Revoke.self])

        struct Create: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract:
                    "Créer une clé, affichée une fois en dernière ligne / create a key, printed once on the last line")

            @Option(help: "officer, agency, portal ou statistics")
            var role: APIKeys.Role

            @Option(help: "Nom du client / client name (e.g. agence-madrid)")
            var name: String

            @OptionGroup var location: KeysLocation

            func run() throws {
                let keys = try location.directory()
                var clients = try keys.apiKeys()
                let key: String
                do { key = try clients.create(name: name, role: role) } catch { throw ValidationError("\(error)") }
                try keys.save(clients)
                print(
                    "clé \(role.rawValue) « \(name) » créée ; seule son empreinte est gardée / key created; only its hash is kept"
                )
                print(key)
            }
        }

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Lister les clés / list the keys")

            @OptionGroup var location: KeysLocation

            func run() throws {
                for client in try location.directory().apiKeys().clients {
                    let state = client.revoked.map { "révoquée / revoked \($0)" } ?? "active"
                    print("\(client.name)\t\(client.role.rawValue)\t\(client.created)\t\(state)")
                }
            }
        }

        struct Revoke: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Révoquer une clé : refusée dès la requête suivante / revoke a key")

            @Argument(help: "Nom du client / client name")
            var name: String

            @OptionGroup var location: KeysLocation

            func run() throws {
                let keys = try location.directory()
                var clients = try keys.apiKeys()
                guard clients.revoke(name: name) else {
                    throw ValidationError("aucune clé active « \(name) » / no active key named \(name)")
                }
                try keys.save(clients)
                print("clé « \(name) » révoquée / revoked")
            }
        }
    }
}
