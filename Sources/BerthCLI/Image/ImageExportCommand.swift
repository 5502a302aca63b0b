import ArgumentParser
import ImageStore

/// `berth image export REF -o FILE`.
struct ImageExport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write an image as an OCI archive (the same bytes on every run).")
    @OptionGroup(title: "State") var global: GlobalOptions
    @Argument(help: "The image reference.") var reference: String
    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("The archive to write.", valueName: "file")) var output: String

    func run() throws {
        try Context(global).images.export(reference: reference, to: output)
    }
}
