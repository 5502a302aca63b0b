import ArgumentParser
import BerthSystem
import Executor
import Foundation
import State

/// `berth exec NAME [-i] [-t] [-u USER] [-w DIR] [-e K=V]… -- CMD…`: berth becomes `runc exec`.
struct Exec: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec",
        abstract: "Run a command in a running container.",
        discussion:
            "The command starts from the container's own process (env, user, working directory, capabilities); berth then replaces itself with `runc exec`, so the command's output, signals and exit status are its own."
    )

    @OptionGroup(title: "Manifest") var manifest: ManifestOptions
    @OptionGroup(title: "State") var global: GlobalOptions

    @Flag(name: [.customShort("i"), .long], help: "Keep standard input open (without it the command reads /dev/null).")
    var interactive = false

    @Flag(name: [.customShort("t"), .long], help: "Give the command a pseudo-terminal (standard input must be a terminal).")
    var tty = false

    @Option(
        name: [.customShort("u"), .long],
        help: ArgumentHelp("User: uid[:gid] or names from the container's /etc/passwd and /etc/group.", valueName: "user"))
    var user: String?

    @Option(
        name: [.customShort("w"), .customLong("workdir")], help: ArgumentHelp("Working directory in the container (absolute).", valueName: "dir"))
    var workdir: String?

    @Option(
        name: [.customShort("e"), .customLong("env")],
        help: ArgumentHelp("Set an environment variable (K=V; K alone takes berth's value).", valueName: "K=V"))
    var env: [String] = []

    @Argument(help: "The container's name.")
    var name: String

    /// Everything after `--`, options included: berth's options come before it, the command's after it.
    @Argument(parsing: .postTerminator, help: ArgumentHelp("The command and its arguments, after --.", valueName: "command"))
    var commandLine: [String] = []

    func validate() throws {
        try validateContainerNames([name])
        guard !commandLine.isEmpty else { throw ValidationError("no command: berth exec NAME [OPTIONS] -- COMMAND [ARG…]") }
        if let workdir, !workdir.hasPrefix("/") { throw ValidationError("-w/--workdir must be an absolute path, got \(Names.quoted(workdir))") }
        if let user, user.isEmpty { throw ValidationError("-u/--user must not be empty") }
        for entry in env where entry.isEmpty || entry.hasPrefix("=") || entry.contains("\0") {
            throw ValidationError("-e/--env takes K=V with a non-empty K, got \(Names.quoted(entry))")
        }
        if tty, isatty(STDIN_FILENO) == 0 {
            throw ValidationError("-t needs a terminal on standard input (it is not one); drop -t, or run from a terminal")
        }
    }

    /// `-e K` takes K's value from berth's own environment (and is dropped when unset there), as docker does.
    var environment: [String] {
        env.compactMap { entry in
            if entry.contains("=") { return entry }
            return ProcessInfo.processInfo.environment[entry].map { "\(entry)=\($0)" }
        }
    }

    func run() throws {
        guard geteuid() == 0 else {
            throw CLIError(message: "berth must run as root (rootless mode is not supported yet)", category: .runtime)
        }
        let root = global.root
        guard root.exists else { throw CLIError(message: "no state root at \(root.path): nothing runs there") }
        let state = try StateStore(path: root.database, readOnly: true)
        let project = try Context.project(named: manifest.projectName, file: manifest.file, state: state)
        guard let record = try state.container(project: project, name: name) else {
            throw CLIError(message: "no container \(name) in project \(project)")
        }
        let options = ExecOptions(
            command: commandLine, user: user, workingDirectory: workdir, environment: environment, tty: tty, interactive: interactive)
        let prepared = try ContainerExec(root: root).prepare(record, state: state, options: options)
        try ContainerExec.replaceProcess(with: prepared)
    }
}
