import ArgumentParser
import Executor
import Foundation

/// `berth logs NAME`: a container's output.
struct Logs: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print a container's output.")

    @OptionGroup(title: "Manifest") var manifest: ManifestOptions
    @OptionGroup(title: "State") var global: GlobalOptions

    @Argument(help: "The container's name.")
    var name: String

    func run() throws {
        let context = try Context(global)
        let project = try context.project(manifest)
        guard try context.state.container(project: project, name: name) != nil else {
            throw CLIError(message: "no container \(name) in project \(project)")
        }
        let reader = LogReader(path: context.root.logFile(project: project, name: name))
        for record in reader.readNew() {
            let handle = record.stream == .stdout ? FileHandle.standardOutput : FileHandle.standardError
            handle.write(Data((record.text + "\n").utf8))
        }
    }
}
