import ArgumentParser
import BerthSystem
import Diagnostics
import Executor
import Foundation
import TarArchive
import Supervision

/// The `berth` command. `run()` parses, runs, and maps every error to one exit status in one place.
public struct BerthCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "berth",
        abstract: "A daemonless, declarative container runner.",
        discussion:
            "Berth reads a berth.yaml manifest, plans what must change, unpacks images on demand and runs each container with an OCI runtime (runc).",
        version: versionText,
        subcommands: [
            Apply.self, PlanCommand.self, PS.self, Logs.self, Exec.self, Stop.self, Start.self, Restart.self, Kill.self, Remove.self, Wait.self,
            Down.self, BootCommand.self, Inspect.self, Top.self, Stats.self, PortCommand.self, RepairCommand.self,
            Validate.self,
            ConfigCommand.self, ConvertCommand.self, BuildCommand.self,
            SpecCommand.self, CheckpointCommand.self, ImageCommand.self, NetworkCommand.self, VolumeCommand.self, ExportCommand.self,
            LoginCommand.self,
            LogoutCommand.self,
        ])

    /// What `--version` prints: the release and the inflate implementation built in.
    static let versionText = "0.1.0 (inflate: \(GzipInflater.preferred.versionDescription))"

    public init() {}

    /// Entry point used by the `berth` executable. The hidden monitor mode (started by apply, never by hand)
    /// is recognized before the command tree is parsed: it is on every container's start path.
    public static func run() {
        switch MonitorInvocation(commandLine: CommandLine.arguments) {
        case .supervise(let request)?: Foundation.exit(Monitor.run(request))
        case .unneeded?: Foundation.exit(0)
        case nil: break
        }
        // Answered before the command tree is built: building it costs more than the rest of a start.
        if CommandLine.arguments.dropFirst() == ["--version"] {
            print(versionText)
            Foundation.exit(0)
        }
        // exec is timed against `runc exec`: a plain command line skips ArgumentParser (see ExecInvocation).
        if CommandLine.arguments.count > 2, CommandLine.arguments[1] == "exec",
            let invocation = ExecInvocation(fastParsing: Array(CommandLine.arguments.dropFirst(2)))
        {
            do {
                try invocation.run()
            } catch {
                exit(withBerthError: error)
            }
        }
        var command: any ParsableCommand
        do {
            command = try parseHotCommand(CommandLine.arguments) ?? parseAsRoot()
        } catch {
            // Bad usage exits 2, as every other usage error (ArgumentParser's own status is 64).
            if exitCode(for: error) == .validationFailure {
                printError(fullMessage(for: error))
                Foundation.exit(2)
            }
            Self.exit(withError: error)
        }
        do {
            try command.run()
        } catch {
            exit(withBerthError: error)
        }
    }

    /// The commands on the paths that must start fast, parsed on their own: ArgumentParser then reflects one
    /// command's options instead of building the whole tree (every subcommand and its option groups).
    static let hotCommands: [String: any ParsableCommand.Type] = [
        "apply": Apply.self, "plan": PlanCommand.self, "ps": PS.self,
    ]

    /// The hot commands read from a plain command line without ArgumentParser (see `PlainCommandLine`).
    static let plainCommands: [String: @Sendable ([String]) -> (any ParsableCommand)?] = [
        "apply": { Apply(plain: $0) }, "plan": { PlanCommand(plain: $0) }, "ps": { PS(plain: $0) },
    ]

    /// `arguments` parsed as one of `hotCommands` alone; nil (the caller parses the whole tree) for any other
    /// command, for help and completion requests, and for a command line that does not parse: the whole tree
    /// then reports the error in its usual words.
    static func parseHotCommand(_ arguments: [String]) -> (any ParsableCommand)? {
        guard arguments.count > 1, let type = hotCommands[arguments[1]] else { return nil }
        let rest = Array(arguments.dropFirst(2))
        let special = ["-h", "--help", "-help", "--version", "--experimental-dump-help"]
        guard !rest.contains(where: { special.contains($0) || $0.hasPrefix("--generate-completion") }) else { return nil }
        if let plain = plainCommands[arguments[1]]?(rest) { return plain }
        return try? type.parseAsRoot(rest)
    }

    /// Exit statuses: 0 success; 2 bad usage (ArgumentParser's parse errors included) or manifest; 1 a runtime
    /// failure; a container's own code when a command waits for it (`ExitCode` thrown by the command).
    static func exit(withBerthError error: any Error) -> Never {
        if let exitCode = error as? ExitCode {
            Foundation.exit(exitCode.rawValue)
        }
        if let error = error as? any BerthError {
            let text: String
            if error.diagnostics.isEmpty {
                text = "berth: error: \(error.description)"
            } else {
                text = error.diagnostics.map(\.description).joined(separator: "\n")
            }
            FileHandle.standardError.write(Data((text + "\n").utf8))
            switch error.category {
            case .usage, .manifest: Foundation.exit(2)
            case .runtime, .internal: Foundation.exit(1)
            }
        }
        if error is CocoaError || error is POSIXError {
            // Name the path and the system's words for what went wrong, never Foundation's generic text.
            let path = (error as NSError).userInfo[NSFilePathErrorKey] as? String
            let text = path.map { "\($0): \(SystemErrorText.of(error))" } ?? SystemErrorText.of(error)
            FileHandle.standardError.write(Data("berth: error: \(text)\n".utf8))
            Foundation.exit(1)
        }
        Self.exit(withError: error)
    }
}

/// Writes to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
