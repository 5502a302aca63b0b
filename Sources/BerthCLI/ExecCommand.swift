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

    @Flag(name: [.customShort("t"), .long], help: "Give the command a pseudo-terminal (berth must run in a terminal).")
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

    var invocation: ExecInvocation {
        ExecInvocation(
            stateRoot: global.stateRoot, projectName: manifest.projectName, file: manifest.file, name: name, command: commandLine,
            interactive: interactive, tty: tty, user: user, workdir: workdir, env: env)
    }

    func validate() throws {
        try invocation.validate()
    }

    func run() throws {
        try invocation.run()
    }
}

/// `berth exec` as plain values: what `Exec` parses, and what `init?(fastParsing:)` reads straight from a
/// plain command line. exec is on the path people time against `runc exec`, and ArgumentParser's reflection
/// of a command costs more than the rest of berth's part; anything the fast reading does not know (help,
/// `--opt=value`, an unknown option, a bad value) is left to `Exec`, which parses and reports as usual.
struct ExecInvocation: Equatable {
    var stateRoot: String?
    var projectName: String?
    var file = ManifestOptions.defaultFile
    var name: String
    var command: [String]
    var interactive = false
    var tty = false
    var user: String?
    var workdir: String?
    var env: [String] = []

    /// Reads `[OPTIONS] NAME [OPTIONS] -- COMMAND…` (the arguments after `exec`) when every option is one
    /// `Exec` declares, in a plain form (`-u app`, `--user app`, `-it`); nil otherwise, and when the values
    /// do not pass `validate()`.
    init?(fastParsing arguments: [String]) {
        guard let terminator = arguments.firstIndex(of: "--") else { return nil }
        var name: String?
        var index = 0
        self.init(name: "", command: Array(arguments[(terminator + 1)...]))
        while index < terminator {
            let argument = arguments[index]
            index += 1
            switch argument {
            case "-i", "--interactive": interactive = true
            case "-t", "--tty": tty = true
            case "-it", "-ti":
                interactive = true
                tty = true
            case _ where Self.valued.contains(argument):
                guard index < terminator else { return nil }
                set(argument, arguments[index])
                index += 1
            default:
                guard !argument.hasPrefix("-"), name == nil else { return nil }
                name = argument
            }
        }
        guard let name else { return nil }
        self.name = name
        guard (try? validate()) != nil else { return nil }
    }

    /// The options that take a value, as the fast reading knows them.
    static let valued: Set = ["-u", "--user", "-w", "--workdir", "-e", "--env", "-p", "--project-name", "-f", "--file", "--state-root"]

    private mutating func set(_ option: String, _ value: String) {
        switch option {
        case "-u", "--user": user = value
        case "-w", "--workdir": workdir = value
        case "-e", "--env": env.append(value)
        case "-p", "--project-name": projectName = value
        case "-f", "--file": file = value
        default: stateRoot = value
        }
    }

    init(
        stateRoot: String? = nil, projectName: String? = nil, file: String = ManifestOptions.defaultFile, name: String, command: [String],
        interactive: Bool = false, tty: Bool = false, user: String? = nil, workdir: String? = nil, env: [String] = []
    ) {
        self.stateRoot = stateRoot
        self.projectName = projectName
        self.file = file
        self.name = name
        self.command = command
        self.interactive = interactive
        self.tty = tty
        self.user = user
        self.workdir = workdir
        self.env = env
    }

    func validate() throws {
        try validateProjectOption(projectName)
        try validateContainerNames([name])
        guard !command.isEmpty else { throw ValidationError("no command: berth exec NAME [OPTIONS] -- COMMAND [ARG…]") }
        if let workdir, !workdir.hasPrefix("/") { throw ValidationError("-w/--workdir must be an absolute path, got \(Names.quoted(workdir))") }
        if let user, user.isEmpty { throw ValidationError("-u/--user must not be empty") }
        for entry in env where entry.isEmpty || entry.hasPrefix("=") || entry.contains("\0") {
            throw ValidationError("-e/--env takes K=V with a non-empty K, got \(Names.quoted(entry))")
        }
        if tty, !Self.hasTerminal() {
            throw ValidationError("-t needs a terminal, and berth has none (no controlling terminal); drop -t, or run from a terminal")
        }
    }

    /// Whether there is a terminal for runc to size and proxy: standard input is one, or the process has a
    /// controlling terminal (runc opens /dev/tty and fails without one).
    static func hasTerminal() -> Bool {
        if isatty(STDIN_FILENO) == 1 { return true }
        let fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        close(fd)
        return true
    }

    /// `-e K` takes K's value from berth's own environment (and is dropped when unset there), as docker does.
    var environment: [String] {
        env.compactMap { entry in
            if entry.contains("=") { return entry }
            return ProcessInfo.processInfo.environment[entry].map { "\(entry)=\($0)" }
        }
    }

    /// Finds the container, checks that it runs and replaces this process with `runc exec`.
    func run() throws -> Never {
        guard geteuid() == 0 else {
            throw CLIError(message: "berth must run as root (rootless mode is not supported yet)", category: .runtime)
        }
        let root = StateRoot.resolve(option: stateRoot)
        guard root.exists else { throw CLIError(message: "no state root at \(root.path): nothing runs there", category: .runtime) }
        let state = try StateStore(path: root.database, readOnly: true)
        let project = try Context.project(named: projectName, file: file, state: state)
        guard let record = try state.container(project: project, name: name) else {
            throw CLIError(message: "no container \(name) in project \(project)")
        }
        let options = ExecOptions(
            command: command, user: user, workingDirectory: workdir, environment: environment, tty: tty, interactive: interactive)
        let prepared = try ContainerExec(root: root).prepare(record, state: state, options: options)
        try ContainerExec.replaceProcess(with: prepared)
    }
}
