import Foundation

/// What a finished command printed and how it exited.
struct CommandResult: Sendable {
    var status: Int32
    var stdout: String
    var stderr: String
}

enum CommandError: Error, CustomStringConvertible {
    case notFound(String)
    case timedOut(String, seconds: Int)

    var description: String {
        switch self {
        case .notFound(let name): return "\(name) not found in PATH"
        case .timedOut(let command, let seconds): return "\(command) still running after \(seconds)s; terminated"
        }
    }
}

/// Collects one pipe's bytes on its own thread, so neither stdout nor stderr can fill up and block the child.
private final class PipeReader: @unchecked Sendable {
    private let lock = NSLock()
    private var collected = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            let data = handle.readDataToEndOfFile()
            lock.lock()
            collected = data
            lock.unlock()
            done.signal()
        }
    }

    func text(waitingUntil deadline: DispatchTime) -> String? {
        guard done.wait(timeout: deadline) == .success else { return nil }
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: collected, as: UTF8.self)
    }
}

enum Command {
    /// The absolute path of `name` from PATH (plus the sbin directories root normally has).
    static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let dirs = path.split(separator: ":").map(String.init) + ["/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/bin", "/bin"]
        return dirs.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs `name args…`, reading stdout and stderr separately while it runs; kills it after `timeout`.
    @discardableResult
    static func run(_ name: String, _ arguments: [String], timeout: Int = 60) throws -> CommandResult {
        guard let executable = name.hasPrefix("/") ? name : find(name) else { throw CommandError.notFound(name) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let outReader = PipeReader(out.fileHandleForReading)
        let errReader = PipeReader(err.fileHandleForReading)
        try process.run()
        let deadline = DispatchTime.now() + .seconds(timeout)
        guard let stdout = outReader.text(waitingUntil: deadline),
            let stderr = errReader.text(waitingUntil: deadline)
        else {
            process.terminate()
            throw CommandError.timedOut(([name] + arguments).joined(separator: " "), seconds: timeout)
        }
        process.waitUntilExit()
        return CommandResult(status: process.terminationStatus, stdout: stdout, stderr: stderr)
    }
}
