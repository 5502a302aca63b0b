import BerthSystem
import ArgumentParser
import Foundation
import Manifest
import SystemdExport

/// `berth export systemd`: a unit that applies the project at boot and takes it down at shutdown.
struct ExportSystemd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "systemd",
        abstract: "Write a systemd unit that applies the project at boot (Type=oneshot, RemainAfterExit=yes) and takes it down at shutdown.",
        discussion: "Install it with: berth export systemd -o /etc/systemd/system && systemctl enable berth-PROJECT.service")

    @OptionGroup(title: "Manifest") var manifest: ManifestOptions
    @OptionGroup(title: "State") var global: GlobalOptions

    @Option(
        name: [.customShort("o"), .long],
        help: ArgumentHelp("A directory to write berth-PROJECT.service into, or - for standard output.", valueName: "dir"))
    var output: String = "-"

    func run() throws {
        let cwd = FileManager.default.currentDirectoryPath
        var path = manifest.file.hasPrefix("/") ? manifest.file : cwd + "/" + manifest.file
        var project = manifest.projectName
        var overrides: [String] = []
        if FileManager.default.fileExists(atPath: path) {
            let loaded = try manifest.load()
            project = project ?? loaded.name
            path = loaded.directory + "/" + (path as NSString).lastPathComponent
            // Every `-f` the unit's apply and down must merge, as this command did.
            overrides = manifest.files.dropFirst().map(PathGuard.absolute)
        } else if let name = project, let recorded = try Context(global, readOnly: true).state.manifestPath(project: name) {
            // No manifest here: the one the project was last applied from.
            path = recorded.hasPrefix("/") ? recorded : cwd + "/" + recorded
        } else {
            throw CLIError(message: "no manifest \(manifest.file) here; give -f FILE, or -p PROJECT of a project applied before")
        }
        guard let project else { throw CLIError(message: "cannot tell the project: give -p PROJECT") }
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let unit = SystemdUnit(
            project: project, manifestPath: path, overrides: overrides, profiles: manifest.profiles, executable: executable,
            stateRoot: global.root.path)
        if output == "-" {
            print(unit.text, terminator: "")
            return
        }
        let file = (output as NSString).appendingPathComponent(unit.fileName)
        do {
            try Data(unit.text.utf8).write(to: URL(fileURLWithPath: file), options: .atomic)
        } catch {
            throw CLIError(message: "cannot write \(file): \(error.localizedDescription)", category: .runtime)
        }
        printError("wrote \(file)")
    }
}
