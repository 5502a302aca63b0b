import ArgumentParser
import BerthSystem
import Executor
import Foundation
import State
import Supervision
#if canImport(Glibc)
import Glibc
#endif

/// `berth logs [NAME…]`: containers' output, interleaved by time. `-f` is `--follow` here (as in
/// `docker compose logs -f`); the manifest is `--file`.
struct Logs: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Print the output of containers of a project (all when no name is given), interleaved by time.",
        discussion:
            "With several containers each line starts with `name | `. Here -f means --follow (as in `docker compose logs -f`); name the manifest with --file."
    )

    @OptionGroup(title: "Project") var project: ProjectOptions
    @OptionGroup(title: "State") var global: GlobalOptions

    @Flag(name: [.customShort("f"), .customLong("follow")], help: "Keep printing new output until the containers end.")
    var follow = false

    @Option(help: "Print only the last N lines of each container first.")
    var tail: Int?

    @Option(help: ArgumentHelp("Only lines since this time: RFC 3339 (2024-05-01T10:00:00Z) or a duration before now (10m, 2h).", valueName: "time"))
    var since: String?

    @Flag(help: "Prefix each line with its time.")
    var timestamps = false

    @Argument(help: "Container names (default: every container of the project).")
    var names: [String] = []

    func validate() throws {
        try validateContainerNames(names)
        if let tail, tail < 0 { throw ValidationError("--tail must be 0 or more") }
        if let since, LogSelection.sinceTime(since) == nil {
            throw ValidationError("--since takes an RFC 3339 time (2024-05-01T10:00:00Z) or a duration (10m, 2h), got \(Names.quoted(since))")
        }
    }

    func run() throws {
        let context = try Context(global, readOnly: true)
        let projectName = try Context.project(named: project.projectName, file: project.file, state: context.state)
        let selected = try selectRecords(context, project: projectName, names: names).map(\.name)
        guard !selected.isEmpty else {
            throw CLIError(message: "no containers in project \(projectName)")
        }
        let selection = LogSelection(since: since.flatMap { LogSelection.sinceTime($0) }, tail: tail)
        let printer = LogPrinter(
            names: selected, prefixed: names.count != 1, timestamps: timestamps, color: isatty(STDOUT_FILENO) == 1)
        var readers: [String: LogReader] = [:]
        var history: [(name: String, record: LogRecord)] = []
        for name in selected {
            let reader = LogReader(path: try context.root.logFile(project: projectName, name: name))
            readers[name] = reader
            history += selection.apply(reader.readNew()).map { (name, $0) }
        }
        for entry in LogSelection.interleaved(history) { printer.write(entry.record, of: entry.name) }
        guard follow else { return }
        _ = try OutputFollower(root: context.root, state: context.state)
            .follow(project: projectName, names: selected, readers: readers) { name, record in
                if let since = selection.since, record.time < since { return }
                printer.write(record, of: name)
            }
    }
}

/// How `berth logs` prints a record: `name | ` (names padded to one width, coloured per container on a
/// terminal) when several containers are shown, then the time with `--timestamps`, then the text; a
/// container's stderr lines go to stderr.
struct LogPrinter {
    /// Compose's cycle of ANSI colours (bright ones first is compose's too; plain ones here, readable on any background).
    static let colors = [36, 33, 32, 35, 34, 31]

    var width: Int
    var prefixed: Bool
    var timestamps: Bool
    var colorOf: [String: Int]

    init(names: [String], prefixed: Bool, timestamps: Bool, color: Bool) {
        width = names.map(\.count).max() ?? 0
        self.prefixed = prefixed
        self.timestamps = timestamps
        colorOf = color ? Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, Self.colors[$0 % Self.colors.count]) }) : [:]
    }

    /// The line printed for `record` of container `name`, with its newline.
    func line(_ record: LogRecord, of name: String) -> String {
        var line = ""
        if prefixed {
            let prefix = name.padding(toLength: width, withPad: " ", startingAt: 0) + " | "
            line += colorOf[name].map { "\u{1B}[\($0)m\(prefix)\u{1B}[0m" } ?? prefix
        }
        if timestamps { line += record.time + " " }
        return line + record.text + "\n"
    }

    func write(_ record: LogRecord, of name: String) {
        let handle = record.stream == .stdout ? FileHandle.standardOutput : FileHandle.standardError
        handle.write(Data(line(record, of: name).utf8))
    }
}
