import Foundation

/// A python3 script serving on a free loopback port, for the test servers docker-registry cannot stand in
/// for: started with the port as its first argument, ready once the port accepts, killed when stopped.
final class LoopbackScript {
    let port: Int
    private var process: Process?

    /// Writes `script` to `path` and runs it as `python3 path PORT arguments…`; its output goes to `log`
    /// (or nowhere).
    init(_ script: String, at path: String, arguments: [String], log: String? = nil, name: String) throws {
        port = try RegistryServer.freePort()
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [path, String(port)] + arguments
        if let log {
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            process.standardOutput = handle
            process.standardError = handle
        } else {
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        self.process = process
        for _ in 0..<200 {
            if RegistryServer.canConnect(port: port) { return }
            usleep(50_000)
        }
        stop()
        throw ShellError(message: "\(name) did not start")
    }

    func stop() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    deinit { stop() }
}
