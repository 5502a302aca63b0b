import ArgumentParser
import Diagnostics
import Foundation
import BerthSystem
import Manifest
import State

/// Where Berth keeps its state.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("State root directory (default: $BERTH_ROOT, else /var/lib/berth).", valueName: "dir"))
    var stateRoot: String?

    var root: StateRoot { StateRoot.resolve(option: stateRoot) }
}

/// Where the CNI plugins are, for the commands that attach or release networks.
struct NetworkOptions: ParsableArguments {
    @Option(
        name: .customLong("cni-path"),
        help: ArgumentHelp("CNI plugin directories, colon-separated (default: $BERTH_CNI_PATH, else /usr/lib/cni).", valueName: "dirs"))
    var cniPath: String?

    /// Makes the choice the one every part of this process (and the monitors it starts) reads.
    func apply() {
        if let cniPath { setenv("BERTH_CNI_PATH", cniPath, 1) }
    }
}

/// Which manifest, and under which project name.
struct ManifestOptions: ParsableArguments {
    /// `berth.yaml` in the current directory, else the first compose file there (compose.yaml, compose.yml,
    /// docker-compose.yaml, docker-compose.yml, compose's order), else `berth.yaml`.
    static var defaultFile: String {
        ManifestLoader.defaultFile(in: FileManager.default.currentDirectoryPath)
    }

    @Option(
        name: [.customShort("f"), .customLong("file")],
        help: ArgumentHelp(
            "The manifest file; several compose files are merged in order (default: berth.yaml, else compose.yaml…).", valueName: "file"))
    var files: [String] = []

    /// The manifest (the first when several are given).
    var file: String { files.first ?? Self.defaultFile }

    @Option(
        name: [.customShort("p"), .customLong("project-name")],
        help: ArgumentHelp("Project name, overriding the manifest's `name`.", valueName: "name"))
    var projectName: String?

    @Option(name: .customLong("profile"), help: ArgumentHelp("A compose profile to enable (repeatable; also $COMPOSE_PROFILES).", valueName: "name"))
    var profiles: [String] = []

    @Flag(help: "Treat warnings about the manifest (a compose key Berth does not carry out, say) as errors.")
    var strict = false

    func validate() throws {
        try validateProjectOption(projectName)
    }

    /// Loads the manifest with the profiles asked for; with `--strict` a warning fails the load.
    func load() throws -> ProjectManifest {
        var environment = ProcessInfo.processInfo.environment
        if !profiles.isEmpty {
            environment["COMPOSE_PROFILES"] = ((environment["COMPOSE_PROFILES"].map { [$0] } ?? []) + profiles).joined(separator: ",")
        }
        let loaded = try ManifestLoader.load(paths: files.isEmpty ? [file] : files, environment: environment)
        if strict, !loaded.warnings.isEmpty {
            throw DiagnosticsError(loaded.warnings.map { .error(at: $0.location, $0.message + " (--strict)") }, category: .manifest)
        }
        for warning in loaded.warnings { printError(warning.description) }
        return loaded
    }
}

/// Which project, for `logs`: as `ManifestOptions`, but the manifest only as `--file` (`-f` is `--follow`
/// there, as in `docker compose logs -f`).
/// `-t/--timeout` of the commands that stop containers (`stop`, `restart`, `down`): one declaration, one rule.
struct StopTimeoutOption: ParsableArguments {
    @Option(
        name: [.customShort("t"), .long],
        help: "Seconds to wait after the stop signal before SIGKILL (default: each container's stop-grace-period, else 10).")
    var timeout: Double?

    func validate() throws {
        // Negative, infinite or NaN would skip the grace period or wait forever without SIGKILL.
        if let timeout, !(timeout.isFinite && timeout >= 0) { throw ValidationError("-t/--timeout must be a number of seconds, 0 or more") }
    }
}

struct ProjectOptions: ParsableArguments {
    @Option(name: .customLong("file"), help: ArgumentHelp("The manifest file (its `name` is the project).", valueName: "file"))
    var file: String = ManifestOptions.defaultFile

    @Option(
        name: [.customShort("p"), .customLong("project-name")],
        help: ArgumentHelp("Project name, overriding the manifest's `name`.", valueName: "name"))
    var projectName: String?

    func validate() throws {
        try validateProjectOption(projectName)
    }
}

/// `-p/--project-name` follows the one project-name rule before anything uses it (exit status 2).
func validateProjectOption(_ value: String?) throws {
    guard let value else { return }
    do {
        try Names.validate(value, .project, source: "-p/--project-name")
    } catch let error as NameError {
        throw ValidationError(error.message)
    }
}

/// Human or machine output.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
}

struct FormatOptions: ParsableArguments {
    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text
}

/// Loads a manifest and prints what loading warned about (an unset variable, say) to stderr.
func loadManifest(_ path: String) throws -> ProjectManifest {
    let loaded = try ManifestLoader.load(path: path)
    for warning in loaded.warnings { printError(warning.description) }
    return loaded
}
