import ArgumentParser
import Executor
import Foundation
import State

/// `berth start [NAME…]`.
struct Start: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Start stopped or exited containers again, keeping their files.")

    @OptionGroup(title: "Manifest") var manifest: ManifestOptions
    @OptionGroup(title: "State") var global: GlobalOptions
    @OptionGroup(title: "Networks") var network: NetworkOptions

    @Argument(help: "Container names.")
    var names: [String] = []

    func run() throws {
        network.apply()
        let context = try Context(global)
        let project = try context.project(manifest)
        let lifecycle = Lifecycle(root: context.root, state: context.state)
        try ProjectLock.holding(root: context.root, project: project) {
            for record in try selectRecords(context, project: project, names: names) {
                try lifecycle.start(record, images: context.images, snapshots: context.snapshots)
                printError("\(record.name): started")
            }
        }
    }
}
