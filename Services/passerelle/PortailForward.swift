import ArgumentParser
import Foundation

/// `passerelle portail user add NAME --role …`: Portail owns its accounts (bcrypt hashes in
/// its own SQLite), so this runs the `portail` executable installed beside this one with the
/// same arguments, standard input included (the password).
struct PortailForward: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "portail",
        abstract: "Comptes du portail (exécute portail user …) / Portail accounts (runs portail user …)",
        discussion:
            "Exemple / example: echo \"$MOT_DE_PASSE\" | passerelle portail user add awa --role officer --data-dir data/portail"
    )

    @Argument(parsing: .captureForPassthrough, help: "user add NAME --role officer|supervisor|agency [--data-dir DIR]")
    var arguments: [String] = []

    func run() throws {
        let here = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let portail = here.appendingPathComponent("portail")
        guard FileManager.default.isExecutableFile(atPath: portail.path) else {
            throw ValidationError("\(portail.path) introuvable / not found: portail is installed beside passerelle")
        }
        let process = Process()
        process.executableURL = portail
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        if process.terminationStatus != 0 { throw ExitCode(process.terminationStatus) }
    }
}
