import ArgumentParser
import BerthSystem
import Executor
import Foundation
import State

/// `berth restart [NAME…]`.
struct Restart: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restart",
        abstract: "Stop containers of a project (all when no name is given) and start them again, keeping their files.")

    @OptionGroup(title: "Manifest") var manifest: ManifestOptions
    @OptionGroup(title: "State") var global: GlobalOptions
    @OptionGroup(title: "Networks") var network: NetworkOptions

    @OptionGroup var stopTimeout: StopTimeoutOption

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
        try ProjectLock.holding(root: context.root, project: project) {
            for record in try selectRecords(context, project: project, names: names) {
                try lifecycle.restart(record, gracePeriod: stopTimeout.timeout, images: context.images, snapshots: context.snapshots)
                printError("\(record.name): restarted")
            }
        }
    }
}

/// Container names given on the command line follow the container-name rule (exit status 2).
func validateContainerNames(_ names: [String]) throws {
    for name in names {
        do {
            try Names.validate(name, .container, source: "container name")
        } catch let error as NameError {
            throw ValidationError(error.message)
        }
    }
}
