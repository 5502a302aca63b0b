import ArgumentParser
import Executor
import Foundation
import State

/// `berth stop [NAME…]`.
struct Stop: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop",
        abstract: "Stop containers of a project (all when no name is given): the stop signal, then SIGKILL after the grace period.")

    @OptionGroup(title: "Manifest") var manifest: ManifestOptions
    @OptionGroup(title: "State") var global: GlobalOptions

    @OptionGroup var stopTimeout: StopTimeoutOption

    @Argument(help: "Container names.")
    var names: [String] = []

    func run() throws {
        let context = try Context(global)
        let project = try context.project(manifest)
        let teardown = Teardown(root: context.root, state: context.state, gracePeriod: stopTimeout.timeout)
        try ProjectLock.holding(root: context.root, project: project) {
            let records = try selectRecords(context, project: project, names: names)
            for record in records.sorted(by: { ($0.createdAt, $0.name) > ($1.createdAt, $1.name) }) {
                try teardown.stop(record)
                printError("\(record.name): stopped")
            }
        }
    }
}

/// The records of `names` in `project` (all when empty); an unknown name is a usage error.
func selectRecords(_ context: Context, project: String, names: [String]) throws -> [ContainerRecord] {
    let records = try context.state.containers(project: project)
    guard !names.isEmpty else { return records }
    let known = Set(records.map(\.name))
    let unknown = names.filter { !known.contains($0) }
    guard unknown.isEmpty else {
        throw CLIError(message: "no container \(unknown.joined(separator: ", ")) in project \(project)")
    }
    return records.filter { names.contains($0.name) }
}
