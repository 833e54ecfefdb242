import ArgumentParser

/// The administrators' tool: bulk imports and demo data, through the registries' HTTP APIs.
@main
struct Passerelle: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "passerelle",
        abstract: "Outil d’administration de Passerelle / Passerelle admin tool",
        subcommands: [ImportCommand.self, DemoCommand.self])
}
