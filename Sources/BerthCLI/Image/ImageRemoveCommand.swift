import ArgumentParser
import ImageStore

/// `berth image rm REF…`.
struct ImageRemove: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove image names from the store (blobs go with `image prune`).")
    @OptionGroup(title: "State") var global: GlobalOptions
    @Argument(help: "Image references.") var references: [String]

    func run() throws {
        let context = try Context(global)
        for reference in references {
            try context.images.remove(reference: reference)
            print("removed \(reference)")
        }
    }
}
