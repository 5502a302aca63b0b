import Foundation

/// What a finished child process left behind.
public struct CommandResult: Sendable, Equatable {
    public var status: Int32
    public var stdout: Data
    public var stderr: Data

    public init(status: Int32, stdout: Data, stderr: Data) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }

    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}

/// Runs a program to completion. The seam for tests that need a fault runc cannot produce.
public protocol CommandRunner: Sendable {
    func run(_ executable: String, _ arguments: [String]) throws -> CommandResult
}

/// The real runner: a spawned child (`ChildProcess`), with stdout and stderr read separately while it runs,
/// so a chatty child never blocks on a full pipe and a warning on stderr never corrupts JSON on stdout.
public struct ProcessRunner: CommandRunner {
    public init() {}

    public func run(_ executable: String, _ arguments: [String]) throws -> CommandResult {
        let child = try ChildProcess.start(executable, arguments, captureOutput: true)
        let group = DispatchGroup()
        let errBox = DataBox()
        if let stderr = child.stderr {
            group.enter()
            DispatchQueue.global().async {
                errBox.data = ChildProcess.readAll(stderr)
                group.leave()
            }
        }
        let out = child.stdout.map(ChildProcess.readAll) ?? Data()
        group.wait()
        return CommandResult(status: child.wait(), stdout: out, stderr: errBox.data)
    }
}

/// Holds the stderr bytes read on another thread; written once before `group.leave()`, read after `wait()`.
private final class DataBox: @unchecked Sendable {
    var data = Data()
}
