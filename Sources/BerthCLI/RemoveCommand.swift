import ArgumentParser
import Executor
import Foundation
import State

/// `berth rm [NAME…]`.
struct Remove: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm",
        abstract:
            "Remove stopped or exited containers of a project (all that do not run when no name is given): runtime entry, writable snapshot, network attachments, bundle and record."
    )

    @OptionGroup(title: "Manifest") var manifest: ManifestOptions
    @OptionGroup(title: "State") var global: GlobalOptions
    @OptionGroup(title: "Networks") var network: NetworkOptions

    @Argument(help: "Container names.")
    var names: [String] = []

    func validate() throws {
        try validateContainerNames(names)
    }

    func run() throws {
        network.apply()
        let context = try Context(global)
        let project = try context.project(manifest)
        let lifecycle = Lifecycle(root: context.root, state: context.state)
        let liveness = Liveness(root: context.root, state: context.state)
        try ProjectLock.holding(root: context.root, project: project) {
            var records = try selectRecords(context, project: project, names: names)
            if names.isEmpty { records = records.filter { lifecycle.isRemovable(liveness.observe($0).record) } }
            // Every named container is checked before any is removed: one running container refuses them all.
            let running = records.filter { !lifecycle.isRemovable(liveness.observe($0).record) }.map(\.name)
            guard running.isEmpty else {
                throw CLIError(
                    message: "container \(running.joined(separator: ", ")) is running; stop it first (berth stop \(running.joined(separator: " ")))",
                    category: .runtime)
            }
            for record in records {
                try lifecycle.remove(record)
                printError("- \(record.name): removed")
            }
        }
    }
}
