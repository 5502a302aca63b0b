import BerthSystem

/// A child process started with `posix_spawn` and reaped with `waitpid`: BerthSystem's `Command.Child`,
/// under the name the runtime driver and the monitor have always used.
public typealias ChildProcess = Command.Child

extension Command.Child {
    /// Starts `executable` with `arguments`: standard input from /dev/null, standard output and error into
    /// pipes when `captureOutput`, else /dev/null (see `Command.start`). Throws a `RuntimeError` (launch failed).
    public static func start(_ executable: String, _ arguments: [String], captureOutput: Bool) throws -> ChildProcess {
        do {
            return try Command(executable, arguments).start(captureOutput: captureOutput)
        } catch {
            throw RuntimeError(code: .launchFailed, message: error.description)
        }
    }
}
