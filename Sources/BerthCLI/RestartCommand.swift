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

    @Option(
        name: [.customShort("t"), .long],
        help: "Seconds to wait after the stop signal before SIGKILL (default: each container's stop-grace-period, else 10).")
    var timeout: Double?

    @Argument(help: "Container names.")
    var names: [String] = []

    func validate() throws {
        try validateContainerNames(names)
        if let timeout, timeout < 0 { throw ValidationError("-t/--timeout must be 0 or more") }
    }

    func run() throws {
        network.apply()
        let context = try Context(global)
        let project = try context.project(manifest)
        let lifecycle = Lifecycle(root: context.root, state: context.state)
        try ProjectLock.holding(root: context.root, project: project) {
            for record in try selectRecords(context, project: project, names: names) {
                try lifecycle.restart(record, gracePeriod: timeout, images: context.images, snapshots: context.snapshots)
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
