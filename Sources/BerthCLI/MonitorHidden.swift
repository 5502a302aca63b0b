import ArgumentParser
import Executor
import Foundation
import State

/// The hidden monitor mode: supervises one container (started by `apply`, never by hand).
struct MonitorHidden: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: MonitorCommand.name, shouldDisplay: false)

    @Option var stateRoot: String
    @Option var project: String
    @Option var name: String

    func run() throws {
        let status = Monitor.run(root: StateRoot(path: stateRoot), project: project, name: name)
        if status != 0 { throw ExitCode(status) }
    }
}
