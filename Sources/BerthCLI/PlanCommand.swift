import ArgumentParser
import Foundation
import Manifest
import Planner

/// `berth plan`: what apply would do; changes nothing.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what `berth apply` would do, without changing anything.",
        discussion:
            "Per container: the action and why, the image resolved to its digest, the layers to unpack, the snapshot and the runtime. The output is byte-identical for the same inputs."
    )

    @OptionGroup(title: "Manifest") var manifest: ManifestOptions
    @OptionGroup(title: "State") var global: GlobalOptions
    @OptionGroup(title: "Registry") var registry: RegistryFlags
    @OptionGroup(title: "Output") var format: FormatOptions

    @Flag(help: "Plan replacing containers even when nothing changed.")
    var forceRecreate = false

    @Flag(help: "Exit 0 when nothing would change, 2 when something would, 1 on error.")
    var detailedExitcode = false

    @Flag(help: "Show the values of env entries read from env-files in change reasons (hidden by default: key and digest).")
    var showValues = false

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("Also save the plan, for `berth apply FILE`.", valueName: "file"))
    var output: String?

    func run() throws {
        let context = try Context(global)
        let loaded = try manifest.load()
        let plan = try context.engine(registry: registry).plan(
            loaded, project: manifest.projectName ?? loaded.name,
            options: .init(forceRecreate: forceRecreate, showValues: showValues))
        if let output {
            try SavedPlan(plan).encoded().write(to: URL(fileURLWithPath: output))
        }
        switch format.format {
        case .text: print(PlanRenderer.text(plan), terminator: "")
        case .json: print(try PlanRenderer.json(plan), terminator: "")
        }
        if detailedExitcode && plan.hasChanges { throw ExitCode(2) }
    }
}
