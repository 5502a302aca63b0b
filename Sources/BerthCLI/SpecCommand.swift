import ArgumentParser
import Foundation
import Manifest
import OCI
import Executor
import SpecBuilder

/// `berth spec NAME`: a container's OCI runtime spec, printed without creating anything.
struct SpecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spec",
        abstract: "Print the config.json Berth would give a container, without creating anything.")

    @OptionGroup(title: "Manifest") var manifest: ManifestOptions
    @OptionGroup(title: "State") var global: GlobalOptions

    @Argument(help: "The container's name.")
    var name: String

    func run() throws {
        let context = try Context(global)
        let loaded = try manifest.load()
        guard let container = loaded.container(named: name) else {
            throw CLIError(message: "no container \(name) in \(manifest.file); containers: \(loaded.containers.map(\.name).joined(separator: ", "))")
        }
        let project = manifest.projectName ?? loaded.name
        let spec = try context.engine(registry: nil).spec(of: container, in: loaded, project: project)
        FileHandle.standardOutput.write(try SpecBuilder.encode(spec))
    }
}
