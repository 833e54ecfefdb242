import ArgumentParser
import Foundation
import ServiceKit

/// `portail user add NAME --role officer|supervisor|agency [--display-name TEXT]`: an account,
/// its password read from standard input (one line), stored as a bcrypt hash.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Comptes du portail / Portail accounts", subcommands: [Add.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Créer ou mettre à jour un compte / create or update an account",
            discussion: "Le mot de passe est lu sur l’entrée standard. / The password is read from standard input.")

        @Argument(help: "Identifiant / user name") var username: String
        @Option(help: "officer, supervisor ou agency") var role: String
        @Option(name: .customLong("display-name"), help: "Nom affiché / name shown") var displayName: String?
        /// `--data-dir` (Portail's data folder) is the service's own option, parsed by `portail`.
        @ParentCommand var portail: PortailCommand

        func validate() throws {
            guard PortalRole(rawValue: role) != nil else {
                throw ValidationError("--role : officer, supervisor ou agency / officer, supervisor or agency")
            }
            guard (1...64).contains(username.count),
                username.allSatisfy({ $0.isLetter || $0.isNumber || "._-@".contains($0) })
            else {
                throw ValidationError(
                    "identifiant : 1 à 64 lettres, chiffres, . _ - @ / user name: 1 to 64 letters, digits, . _ - @")
            }
        }

        func run() async throws {
            guard let line = readLine(strippingNewline: true), (12...200).contains(line.count) else {
                throw ValidationError(
                    "mot de passe sur l’entrée standard, 12 à 200 caractères / password on standard input, 12 to 200 characters"
                )
            }
            let directory =
                portail.common.dataDir ?? ProcessInfo.processInfo.environment["PASSERELLE_DATA_DIR"] ?? "./data"
            let database = try ServiceDatabase(directory: directory, name: "portail") { PortailStore.migrate(&$0) }
            try await Accounts(database: database).upsert(
                username: username, displayName: displayName ?? username, role: PortalRole(rawValue: role)!,
                password: line)
            print("compte \(username) (\(role)) enregistré / account \(username) (\(role)) saved")
        }
    }
}
