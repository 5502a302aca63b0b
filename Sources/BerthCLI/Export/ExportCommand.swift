import ArgumentParser

/// `berth export …`: the manifest in another system's terms.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export the manifest for another system.",
        subcommands: [ExportKubernetes.self, ExportSystemd.self])
}
