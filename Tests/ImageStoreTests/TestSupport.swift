import Foundation
import Testing

/// A scratch directory under /tmp, removed by `cleanup()`.
struct Scratch {
    let path: String

    init() throws {
        path = "/tmp/berth-images-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func cleanup() { try? FileManager.default.removeItem(atPath: path) }

    func write(_ relative: String, _ text: String, mode: Int = 0o644) throws {
        let full = path + "/" + relative
        try FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: full))
        chmod(full, mode_t(mode))
    }

    /// A small rootfs: a shell script, a config file, a symlink and an empty dir.
    func makeRootfs(_ relative: String) throws {
        try write(relative + "/bin/hello", "#!/bin/sh\necho hello\n", mode: 0o755)
        try write(relative + "/etc/hostname", "demo\n")
        try FileManager.default.createDirectory(atPath: path + "/" + relative + "/tmp", withIntermediateDirectories: true)
        chmod(path + "/" + relative + "/tmp", 0o1777)
        try FileManager.default.createSymbolicLink(atPath: path + "/" + relative + "/sh", withDestinationPath: "bin/hello")
    }

    /// Runs a program, returning its exit status and stdout.
    func run(_ program: String, _ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
