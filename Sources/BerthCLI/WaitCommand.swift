import ArgumentParser
import Executor
import Foundation

/// `berth wait [NAME…]`.
struct Wait: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wait",
        abstract: "Wait for containers to end; print each exit code and exit with the first non-zero one.")

    @OptionGroup(title: "Manifest") var manifest: ManifestOptions
    @OptionGroup(title: "State") var global: GlobalOptions

    @Argument(help: "Container names.")
    var names: [String] = []

    func run() throws {
        let context = try Context(global)
        let project = try context.project(manifest)
        let selected = try selectRecords(context, project: project, names: names).map(\.name)
        let results = try OutputFollower(root: context.root, state: context.state)
            .follow(project: project, names: selected) { _, _ in }
        for result in results {
            print("\(result.name) \(result.exitCode.map(String.init) ?? "failed: \(result.failure ?? "unknown")")")
        }
        if let first = results.first(where: { ($0.exitCode ?? 1) != 0 }) { throw ExitCode(first.exitCode ?? 1) }
    }
}
