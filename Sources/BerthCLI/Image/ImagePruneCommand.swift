import ArgumentParser
import ImageStore
import Planner

/// `berth image prune`.
struct ImagePrune: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "prune", abstract: "Remove blobs no image refers to.")
    @OptionGroup(title: "State") var global: GlobalOptions

    func run() throws {
        let result = try Context(global).images.prune()
        print("removed \(result.removed.count) blobs, \(PlanRenderer.byteCount(result.bytes))")
    }
}
