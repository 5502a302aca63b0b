import ArgumentParser
import BerthSystem
import Executor
import Foundation
import ImageStore
import Manifest
import Planner
import State

/// `berth apply`: plan, then carry the plan out.
struct Apply: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Create or update the containers of a manifest.",
        discussion:
            "Unchanged containers are left alone; changed ones are replaced. With --wait, Berth streams the containers' output until every container that no other container depends on (by depends-on or a with-ns container join) has ended, and exits with the first non-zero exit code among those (in start order), or 0. Containers others depend on are services: they keep running until `berth down`."
    )

    @Argument(help: ArgumentHelp("A plan saved by `berth plan -o FILE`: carry out exactly it.", valueName: "plan-file"))
    var planFile: String?

    @OptionGroup(title: "Manifest") var manifest: ManifestOptions
    @OptionGroup(title: "State") var global: GlobalOptions
    @OptionGroup(title: "Networks") var network: NetworkOptions
    @OptionGroup(title: "Registry") var registry: RegistryFlags

    @Flag(help: "Print the plan and change nothing (the same code path as `berth plan`).")
    var dryRun = false

    @Flag(help: "Stream the containers' output and wait for them to end; exit with their exit code.")
    var wait = false

    @Flag(help: "Replace containers even when nothing changed.")
    var forceRecreate = false

    @Flag(help: "Remove containers of the project that are no longer in the manifest.")
    var prune = false

    @Flag(help: "Build every image of `build:` first, even when its inputs did not change.")
    var build = false

    @Flag(help: "Build no image (one that is missing is then an error).")
    var noBuild = false

    func validate() throws {
        if build && noBuild { throw ValidationError("--build and --no-build exclude each other") }
    }

    func run() throws {
        network.apply()
        // A monitor loads while this process plans; the first container to start takes it. The stores open on a
        // thread of their own meanwhile (about a millisecond, mostly SQLite's and GRDB's set-up), while this one
        // starts that monitor and reads the manifest; an error of the stores is still the one reported first.
        let launcher = SelfExecMonitorLauncher(keepsEndReports: wait)
        let root = global.root
        let (read, opened) = WorkerThreads.alongside({ Result { try Context(root: root) } }) {
            if !dryRun { launcher.warmUp(root: root) }
            return Result { () throws -> Engine.Source in
                if let planFile { return .saved(try SavedPlan.load(path: planFile)) }
                let loaded = try manifest.load()
                // The images, looked up while the state opens: the plan finds them kept.
                ImageStore.prefetch(root: root.store, references: loaded.containers.compactMap(\.image))
                return .manifest(loaded, path: PathGuard.absolute(manifest.file), project: manifest.projectName ?? loaded.name)
            }
        }
        let context = try opened.get()
        let source = try read.get()
        if case .manifest(let loaded, _, let project) = source, !noBuild, !dryRun, loaded.containers.contains(where: { $0.build != nil }) {
            try ImageBuilds.run(loaded, project: project, context: context, force: build)
        }
        let display = dryRun || isatty(STDERR_FILENO) != 1 ? nil : PullProgressDisplay()
        defer { display?.finish() }
        let applied = try context.engine(registry: registry).apply(
            source, options: .init(forceRecreate: forceRecreate), dryRun: dryRun, prune: prune
        ) { executor in
            executor.monitorLauncher = launcher
            if let display { executor.pullProgress = { display.update($0) } }
        }
        let plan = applied.plan
        guard let outcomes = applied.outcomes else {
            print(PlanRenderer.text(plan), terminator: "")
            return
        }
        var failed = false
        for outcome in outcomes {
            if let error = outcome.error {
                failed = true
                printError("berth: error: \(error)")
            } else if outcome.action != .unchanged || !wait {
                let unpacked = outcome.unpacked > 0 ? " (unpacked \(outcome.unpacked) \(outcome.unpacked == 1 ? "layer" : "layers"))" : ""
                printError("\(outcome.action.symbol) \(outcome.name): \(outcome.action.pastTense)\(unpacked)")
            }
        }
        guard wait else { Self.end(failed ? 1 : 0, display: display) }
        let names = outcomes.filter { $0.error == nil && $0.action != .remove }.map(\.name)
        let services = plan.serviceNames
        let prefix = plan.containers.count > 1
        let results = try OutputFollower(root: context.root, state: context.state)
            .follow(
                project: plan.project, names: names, until: names.filter { !services.contains($0) },
                endReports: launcher.takeEndReports(project: plan.project)
            ) { name, record in
                let line = prefix ? "\(name) | \(record.text)\n" : record.text + "\n"
                let handle = record.stream == .stdout ? FileHandle.standardOutput : FileHandle.standardError
                handle.write(Data(line.utf8))
            }
        for result in results where result.exitCode == nil {
            printError("berth: error: container \(result.name) failed: \(result.failure ?? "unknown reason")")
        }
        let firstFailure = results.first(where: { ($0.exitCode ?? 1) != 0 }).map { $0.exitCode ?? 1 }
        Self.end(failed ? 1 : firstFailure ?? 0, display: display)
    }

    /// Ends the process with `status` once the work is done, the stores still open: closing them would only run
    /// GRDB's teardown and, were this the database's last connection, SQLite's checkpoint, a millisecond or more
    /// after the containers ended, which the monitors (or the next command) do anyway.
    private static func end(_ status: Int32, display: PullProgressDisplay?) -> Never {
        display?.finish()
        Foundation.exit(status)  // flushes standard output, as a return from main would
    }
}
