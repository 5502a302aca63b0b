import ArgumentParser
import Executor
import Foundation
import State

/// `berth down`: stop and remove a project's containers.
struct Down: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "down",
        abstract: "Stop and remove the containers of a project and their writable snapshots.")

    @OptionGroup(title: "Manifest") var manifest: ManifestOptions
    @OptionGroup(title: "State") var global: GlobalOptions
    @OptionGroup(title: "Networks") var network: NetworkOptions

    @OptionGroup var stopTimeout: StopTimeoutOption

    @Flag(help: "Also remove the images these containers used, when no other container uses them, and prune their blobs.")
    var images = false

    @Flag(help: "Also remove the project's own named volumes and their data (never an external one).")
    var volumes = false

    func run() throws {
        network.apply()
        let context: Context
        do {
            context = try Context(global)
        } catch  where Context.isUnreadableState(error) {
            // Nothing may be orphaned because the database is unreadable: remove what the runtime and the
            // mount table show for the project, and leave the database for `berth repair`.
            let project = try Context.project(manifest)
            printError(
                "berth: warning: \(error); removing what the runtime shows for project \(project). "
                    + "`berth repair` moves the damaged database aside.")
            try ProjectLock.holding(root: global.root, project: project) {
                try Teardown.removeProject(project, withoutStateIn: global.root, gracePeriod: stopTimeout.timeout ?? Teardown.defaultGracePeriod) {
                    printError($0)
                }
            }
            return
        }
        let project = try context.project(manifest)
        let teardown = Teardown(root: context.root, state: context.state, gracePeriod: stopTimeout.timeout)
        let removed = try ProjectLock.holding(root: context.root, project: project) {
            let removed = try teardown.removeProject(project) { printError($0) }
            if volumes {
                let outcome = try ContainerVolumes(root: context.root, state: context.state).removeUnused(project: project)
                for (record, users) in outcome.kept {
                    printError("  volume \(record.name): kept, used by \(users.joined(separator: ", "))")
                }
                for record in outcome.removed { printError("- volume \(record.name): removed") }
            }
            return removed
        }
        guard images else { return }
        let cleanup = try context.images.removeUnused(
            Set(removed.compactMap(\.imageReference)),
            stillUsed: Set(try context.state.allContainers().compactMap(\.imageReference)))
        for reference in cleanup.images { printError("- image \(reference): removed") }
        if cleanup.prunedBlobs > 0 { printError("pruned \(cleanup.prunedBlobs) blobs") }
    }
}
