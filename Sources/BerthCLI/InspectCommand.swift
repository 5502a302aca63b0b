import ArgumentParser
import Executor
import Foundation
import OCI

/// `berth inspect NAME`: one container as JSON.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a container as JSON: its record as stored, what runs now, its runtime spec's digest and mounts, its networks.")

    @OptionGroup(title: "Manifest") var manifest: ManifestOptions
    @OptionGroup(title: "State") var global: GlobalOptions

    @Argument(help: "The container's name.")
    var name: String

    func validate() throws {
        try validateContainerNames([name])
    }

    func run() throws {
        let context = try Context(global, readOnly: true)
        let project = try context.project(manifest)
        guard let record = try context.state.container(project: project, name: name) else {
            throw CLIError(message: "no container \(name) in project \(project)")
        }
        let inspection = try ContainerInspection.of(record, root: context.root, state: context.state)
        FileHandle.standardOutput.write(try CanonicalJSON.encodePretty(inspection))
    }
}
