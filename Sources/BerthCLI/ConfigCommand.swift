import ArgumentParser
import Manifest

/// `berth config`: the normalized manifest, as plans and change detection see it.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Print the normalized manifest (interpolated, defaults filled in, env-files folded in, sorted).")

    @OptionGroup(title: "Manifest") var manifest: ManifestOptions

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case yaml
        case json
    }

    @Option(help: "Output format: yaml or json.")
    var format: Format = .yaml

    func run() throws {
        let loaded = try manifest.load()
        let text = try ManifestRenderer.render(loaded, format: format == .yaml ? .yaml : .json)
        print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
    }
}
