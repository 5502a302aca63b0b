import ArgumentParser
import Executor
import Foundation
import State

/// `berth boot`: after a reboot, start the containers whose restart policy asks for it.
struct BootCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "boot",
        abstract: "Start every container whose restart policy is always or unless-stopped (not stopped by hand), as after a reboot.",
        discussion:
            "Berth has no daemon: after a reboot nothing runs until this command (or `berth apply`) does. Run it from the system's start-up, or use `berth export systemd` for one unit per project."
    )

    @OptionGroup(title: "State") var global: GlobalOptions
    @OptionGroup(title: "Networks") var network: NetworkOptions

    @Option(name: [.customShort("p"), .customLong("project-name")], help: "Only these projects (repeatable; default: all).")
    var projects: [String] = []

    func validate() throws {
        for project in projects { try validateProjectOption(project) }
    }

    func run() throws {
        network.apply()
        let context = try Context(global)
        let outcomes = try Boot(root: context.root, state: context.state).run(
            projects: projects, images: context.images, snapshots: context.snapshots)
        var failed = false
        for outcome in outcomes {
            if let error = outcome.error {
                failed = true
                printError("berth: error: \(outcome.project)/\(outcome.name): \(error)")
            } else {
                printError("\(outcome.project)/\(outcome.name): \(outcome.result)")
            }
        }
        if failed { throw ExitCode(1) }
    }
}
