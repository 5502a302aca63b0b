import ArgumentParser
import ImageStore

/// `berth image unpack REF`: pre-warm a machine, as `ctr` users do.
struct ImageUnpack: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unpack", abstract: "Unpack an image's layers into a snapshotter without running anything.")
    @OptionGroup(title: "State") var global: GlobalOptions
    @Argument(help: "The image reference.") var reference: String
    @Option(help: "overlayfs or native.") var snapshotter: String = "overlayfs"

    func run() throws {
        let context = try Context(global)
        let image = try context.images.resolve(reference)
        let unpacked = try context.snapshots.store(named: snapshotter)
            .unpack(image, from: context.images, progress: .standardErrorIfTerminal())
        print("\(image.reference): unpacked \(unpacked.count) of \(image.manifest.layers.count) layers into \(snapshotter)")
    }
}
