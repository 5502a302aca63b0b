import ArgumentParser
import BerthSystem
import Executor
import Foundation
import State

/// `berth kill [-s SIGNAL] [NAME…]`.
struct Kill: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kill",
        abstract: "Send a signal to the main process of running containers of a project (all running ones when no name is given).")

    @OptionGroup(title: "Manifest") var manifest: ManifestOptions
    @OptionGroup(title: "State") var global: GlobalOptions

    @Option(name: [.customShort("s"), .long], help: ArgumentHelp("The signal: a name (KILL, SIGTERM) or a number.", valueName: "signal"))
    var signal = "KILL"

    @Argument(help: "Container names.")
    var names: [String] = []

    func validate() throws {
        try validateContainerNames(names)
        guard SignalName.number(signal) != nil else {
            throw ValidationError("unknown signal \(Names.quoted(signal)): give a name such as KILL, TERM, HUP or a number 1-64")
        }
    }

    func run() throws {
        let number = SignalName.number(signal) ?? 9
        let context = try Context(global)
        let project = try context.project(manifest)
        let lifecycle = Lifecycle(root: context.root, state: context.state)
        let liveness = Liveness(root: context.root, state: context.state)
        try ProjectLock.holding(root: context.root, project: project) {
            var records = try selectRecords(context, project: project, names: names)
            // Without names: the running ones (as docker compose kill); a named one that does not run is an error.
            if names.isEmpty { records = records.filter { liveness.observe($0).record.status == .running } }
            for record in records {
                try lifecycle.kill(record, signal: number)
                printError("\(record.name): sent signal \(number)")
            }
        }
    }
}
