import ArgumentParser
import Executor
import Foundation
import State

/// `berth down`: stop and remove a project's containers.
struct Down: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stop and remove the containers of a project and their writable snapshots.")

    @OptionGroup(title: "Manifest") var manifest: ManifestOptions
    @OptionGroup(title: "State") var global: GlobalOptions

    @Option(name: [.customShort("t"), .long], help: "Seconds to wait after SIGTERM before SIGKILL.")
    var timeout: Double = 10

    func run() throws {
        let context = try Context(global)
        let project = try context.project(manifest)
        let teardown = Teardown(root: context.root, state: context.state, gracePeriod: timeout)
        try ProjectLock.holding(directory: context.root.locks, project: project) {
            for record in try context.state.containers(project: project).reversed() {
                try teardown.remove(record)
                printError("- \(record.name): removed")
            }
        }
    }
}
