import BerthSystem

/// What a finished child process left behind (BerthSystem's `Command.Output`).
public typealias CommandResult = Command.Output

/// Runs a program to completion. The seam for tests that need a fault runc cannot produce.
public protocol CommandRunner: Sendable {
    func run(_ executable: String, _ arguments: [String]) throws -> CommandResult
}

/// The real runner: a spawned child (`Command`), with stdout and stderr read separately while it runs,
/// so a chatty child never blocks on a full pipe and a warning on stderr never corrupts JSON on stdout.
public struct ProcessRunner: CommandRunner {
    public init() {}

    public func run(_ executable: String, _ arguments: [String]) throws -> CommandResult {
        do {
            return try Command(executable, arguments).run()
        } catch {
            throw RuntimeError(code: .launchFailed, message: error.description)
        }
    }
}
