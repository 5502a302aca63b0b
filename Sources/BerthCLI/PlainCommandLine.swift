import ArgumentParser

/// A command line of the hot commands (`apply`, `plan`, `ps`) read without ArgumentParser.
///
/// ArgumentParser reflects over a command's properties and instantiates generic metadata for every option
/// before it reads a word: about 2.5 ms of CPU in each run, a quarter of a `berth plan`, which the runtime
/// spends scanning the binary's protocol conformances. A plain command line (long or short options, each
/// value after its option or after `=`, flags, positionals) is read here instead and set through the
/// property wrappers' setters, so the command runs exactly as if ArgumentParser had filled it; anything else
/// (help, an unknown or repeated option, `-fFILE`) returns nil and goes to ArgumentParser, which then
/// reports errors in its usual words. `PlainCommandLineTests` checks both readings agree.
struct PlainCommandLine {
    /// Values by canonical option name (the long spelling), in the order given.
    private(set) var values: [String: [String]] = [:]
    private(set) var flags: Set<String> = []
    private(set) var positionals: [String] = []

    /// Reads `arguments` with `valued` options (every spelling → canonical name) and `flags` (the same);
    /// nil when an argument is none of them, when a flag repeats, or when an option lacks its value.
    init?(_ arguments: [String], valued: [String: String], flags flagNames: [String: String]) {
        var index = 0
        while index < arguments.count {
            var argument = arguments[index]
            index += 1
            guard argument.hasPrefix("-"), argument != "-" else {
                positionals.append(argument)
                continue
            }
            var inlineValue: String?
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                inlineValue = String(argument[argument.index(after: equals)...])
                argument = String(argument[..<equals])
            }
            if let name = valued[argument] {
                let value: String
                if let inlineValue {
                    value = inlineValue
                } else {
                    guard index < arguments.count, !arguments[index].hasPrefix("-") else { return nil }
                    value = arguments[index]
                    index += 1
                }
                values[name, default: []].append(value)
            } else if let name = flagNames[argument], inlineValue == nil, flags.insert(name).inserted {
                continue
            } else {
                return nil
            }
        }
    }

    /// The one value of a single-valued option; `.some(nil)` when absent, nil (not plain) when repeated.
    func single(_ name: String) -> String?? {
        guard let given = values[name] else { return .some(nil) }
        return given.count == 1 ? .some(given[0]) : nil
    }

    func all(_ name: String) -> [String] { values[name] ?? [] }

    func flag(_ name: String) -> Bool { flags.contains(name) }

    /// What every hot command shares: `--state-root`.
    static let globalValued = ["--state-root": "--state-root"]
}

extension GlobalOptions {
    init?(plain line: PlainCommandLine) {
        guard case .some(let stateRoot) = line.single("--state-root") else { return nil }
        self.init()
        self.stateRoot = stateRoot
    }
}

extension ManifestOptions {
    static let plainValued = [
        "-f": "--file", "--file": "--file", "-p": "--project-name", "--project-name": "--project-name", "--profile": "--profile",
    ]
    static let plainFlags = ["--strict": "--strict"]

    init?(plain line: PlainCommandLine) {
        guard case .some(let projectName) = line.single("--project-name") else { return nil }
        self.init()
        files = line.all("--file")
        self.projectName = projectName
        profiles = line.all("--profile")
        strict = line.flag("--strict")
        guard (try? validate()) != nil else { return nil }
    }
}

extension RegistryFlags {
    static let plainValued = ["--insecure-registry": "--insecure-registry", "--ca-cert": "--ca-cert"]

    init(plain line: PlainCommandLine) {
        self.init()
        insecureRegistries = line.all("--insecure-registry")
        caCertificates = line.all("--ca-cert")
    }
}

extension NetworkOptions {
    static let plainValued = ["--cni-path": "--cni-path"]

    init?(plain line: PlainCommandLine) {
        guard case .some(let cniPath) = line.single("--cni-path") else { return nil }
        self.init()
        self.cniPath = cniPath
    }
}

extension FormatOptions {
    static let plainValued = ["--format": "--format"]

    init?(plain line: PlainCommandLine) {
        guard case .some(let text) = line.single("--format") else { return nil }
        self.init()
        if let text {
            guard let format = OutputFormat(rawValue: text) else { return nil }
            self.format = format
        } else {
            format = .text
        }
    }
}

extension Apply {
    init?(plain arguments: [String]) {
        let valued = PlainCommandLine.globalValued.merging(ManifestOptions.plainValued) { $1 }
            .merging(NetworkOptions.plainValued) { $1 }.merging(RegistryFlags.plainValued) { $1 }
        let flags = ["--dry-run", "--wait", "--force-recreate", "--prune", "--build", "--no-build"]
        guard
            let line = PlainCommandLine(
                arguments, valued: valued, flags: ManifestOptions.plainFlags.merging(flags.map { ($0, $0) }) { $1 }),
            line.positionals.count <= 1, let manifest = ManifestOptions(plain: line), let global = GlobalOptions(plain: line),
            let network = NetworkOptions(plain: line)
        else { return nil }
        self.init()
        planFile = line.positionals.first
        self.manifest = manifest
        self.global = global
        self.network = network
        registry = RegistryFlags(plain: line)
        dryRun = line.flag("--dry-run")
        wait = line.flag("--wait")
        forceRecreate = line.flag("--force-recreate")
        prune = line.flag("--prune")
        build = line.flag("--build")
        noBuild = line.flag("--no-build")
        guard (try? validate()) != nil else { return nil }
    }
}

extension PlanCommand {
    init?(plain arguments: [String]) {
        var valued = PlainCommandLine.globalValued.merging(ManifestOptions.plainValued) { $1 }
            .merging(RegistryFlags.plainValued) { $1 }.merging(FormatOptions.plainValued) { $1 }
        valued["-o"] = "--output"
        valued["--output"] = "--output"
        let flags = ["--force-recreate", "--detailed-exitcode", "--show-values"]
        guard
            let line = PlainCommandLine(
                arguments, valued: valued, flags: ManifestOptions.plainFlags.merging(flags.map { ($0, $0) }) { $1 }),
            line.positionals.isEmpty, let manifest = ManifestOptions(plain: line), let global = GlobalOptions(plain: line),
            let format = FormatOptions(plain: line), case .some(let output) = line.single("--output")
        else { return nil }
        self.init()
        self.manifest = manifest
        self.global = global
        registry = RegistryFlags(plain: line)
        self.format = format
        forceRecreate = line.flag("--force-recreate")
        detailedExitcode = line.flag("--detailed-exitcode")
        showValues = line.flag("--show-values")
        self.output = output
    }
}

extension PS {
    init?(plain arguments: [String]) {
        let valued = PlainCommandLine.globalValued.merging(FormatOptions.plainValued) { $1 }
            .merging(["-p": "--project-name", "--project-name": "--project-name"]) { $1 }
        guard let line = PlainCommandLine(arguments, valued: valued, flags: [:]), line.positionals.isEmpty,
            let global = GlobalOptions(plain: line), let output = FormatOptions(plain: line),
            case .some(let projectName) = line.single("--project-name")
        else { return nil }
        self.init()
        self.global = global
        self.output = output
        self.projectName = projectName
        guard (try? validate()) != nil else { return nil }
    }
}
