import ArgumentParser
import Foundation
import Manifest

/// `berth convert`: a compose file (or a berth.yaml) written as the equivalent berth.yaml, for good.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Write a compose file as the equivalent berth.yaml; what Berth cannot carry out is named, with its line, in comments at the top.",
        discussion: "Env-files stay references to their files. The output is deterministic: the same input gives the same bytes.")

    @OptionGroup(title: "Manifest") var manifest: ManifestOptions

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("Where to write the manifest (default: standard output).", valueName: "file"))
    var output: String?

    func run() throws {
        let loaded = try manifest.load()
        var text = "# Converted by `berth convert` from \(manifest.file).\n"
        for warning in loaded.warnings {
            text += "# dropped: \(warning.description.replacingOccurrences(of: "\n", with: " "))\n"
        }
        text += try ManifestRenderer.render(loaded, format: .yaml, foldEnvFiles: false)
        guard let output else {
            print(text, terminator: "")
            return
        }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
        } catch {
            throw CLIError(message: "cannot write \(output): \(error.localizedDescription)", category: .runtime)
        }
        printError("wrote \(output)")
    }
}
