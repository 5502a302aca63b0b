import ArgumentParser
import ImageStore

/// `berth image import`: bring an image into the store.
struct ImageImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import an image: a rootfs directory packed reproducibly into a one-layer image.",
        discussion: "The same directory contents give the same layer, config and manifest digests on every run and every machine.")

    @OptionGroup(title: "State") var global: GlobalOptions

    @Option(help: ArgumentHelp("Pack this directory as the image's only layer.", valueName: "dir"))
    var rootfs: String?

    @Option(help: ArgumentHelp("The name to give the image (name:tag).", valueName: "ref"))
    var tag: String?

    func validate() throws {
        guard rootfs != nil else { throw ValidationError("give --rootfs DIR") }
        guard tag != nil else { throw ValidationError("--rootfs needs --tag NAME:TAG") }
    }

    func run() throws {
        let context = try Context(global)
        guard let rootfs, let tag else { return }
        let image = try context.images.importRootfs(directory: rootfs, reference: tag)
        print("\(image.reference) \(image.digest)")
    }
}
