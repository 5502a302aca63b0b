import ArgumentParser
import Executor
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `berth logs NAME`: a container's output.
struct Logs: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logs", abstract: "Print a container's output.")

    @OptionGroup(title: "Manifest") var manifest: ManifestOptions
    @OptionGroup(title: "State") var global: GlobalOptions

    @Flag(name: [.customShort("F"), .customLong("follow")], help: "Keep printing new output until the container ends.")
    var follow = false

    @Option(help: "Print only the last N lines first.")
    var tail: Int?

    @Flag(help: "Prefix each line with its time.")
    var timestamps = false

    @Argument(help: "The container's name.")
    var name: String

    func validate() throws {
        if let tail, tail < 0 { throw ValidationError("--tail must be 0 or more") }
    }

    func run() throws {
        let context = try Context(global)
        let project = try context.project(manifest)
        guard try context.state.container(project: project, name: name) != nil else {
            throw CLIError(message: "no container \(name) in project \(project)")
        }
        let reader = LogReader(path: try context.root.logFile(project: project, name: name))
        var records = reader.readNew()
        if let tail { records = Array(records.suffix(tail)) }
        records.forEach(write)
        guard follow else { return }
        _ = try OutputFollower(root: context.root, state: context.state)
            .follow(project: project, names: [name], skipExisting: true) { _, record in write(record) }
    }

    private func write(_ record: LogRecord) {
        let line = timestamps ? "\(record.time) \(record.text)\n" : record.text + "\n"
        let handle = record.stream == .stdout ? FileHandle.standardOutput : FileHandle.standardError
        handle.write(Data(line.utf8))
    }
}
