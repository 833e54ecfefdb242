import ArgumentParser

/// The administrators' tool: bulk imports and demo data through the registries' HTTP APIs,
/// the keys of the bus and of the APIs, and backups of the services' databases.
@main
struct Passerelle: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "passerelle",
        abstract: "Outil d’administration de Passerelle / Passerelle admin tool",
        subcommands: [
            ImportCommand.self, DemoCommand.self, KeysCommand.self, PortailForward.self, BackupCommand.self,
            RestoreCommand.self,
        ])
}
