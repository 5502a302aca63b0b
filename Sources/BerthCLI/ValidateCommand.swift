import ArgumentParser
import Diagnostics
import Manifest

/// `berth validate`: check a manifest (and, with --host, the host it names).
struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a manifest; every problem is reported with its file, line and column.")

    @OptionGroup(title: "Manifest") var manifest: ManifestOptions

    @Flag(help: "Also check the host: bind sources, with-ns paths, env-files, the runtime.")
    var host = false

    func run() throws {
        let loaded = try manifest.load()
        if host {
            let diagnostics = HostValidator.check(loaded)
            for warning in diagnostics where warning.severity == .warning { printError(warning.description) }
            let errors = diagnostics.filter { $0.severity == .error }
            if !errors.isEmpty { throw DiagnosticsError(errors) }
        }
        print("\(manifest.file): valid (\(loaded.containers.count) \(loaded.containers.count == 1 ? "container" : "containers"))")
    }
}
