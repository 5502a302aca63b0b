import ArgumentParser
import ImageStore
import OCI

/// `berth image import`: bring an image into the store.
struct ImageImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import an image: an OCI layout directory, an OCI archive, a `docker save` archive, or a rootfs directory.",
        discussion: """
            With --rootfs, the directory is packed into a one-layer image: the same contents give the same layer, \
            config and manifest digests on every run and every machine. Archives are named as containerd names them \
            (io.containerd.image.name, else the ref.name tag under --name, docker archives by their RepoTags); \
            every blob is verified on the way in, and a mismatch imports nothing.
            """)

    @OptionGroup(title: "State") var global: GlobalOptions

    @Argument(help: ArgumentHelp("An OCI layout directory, OCI archive or docker-save archive.", valueName: "path"))
    var path: String?

    @Option(help: ArgumentHelp("Pack this directory as the image's only layer.", valueName: "dir"))
    var rootfs: String?

    @Option(help: ArgumentHelp("The name to give the image (name:tag); with an archive, an extra name.", valueName: "ref"))
    var tag: String?

    @Option(help: ArgumentHelp("Base name for archive entries that carry only a tag.", valueName: "name"))
    var name: String?

    @Option(help: ArgumentHelp("Platform to import from a multi-platform image (os/arch[/variant]).", valueName: "platform"))
    var platform: String?

    func validate() throws {
        switch (path, rootfs) {
        case (nil, nil): throw ValidationError("give an archive path, or --rootfs DIR --tag NAME:TAG")
        case (_?, _?): throw ValidationError("give either an archive path or --rootfs, not both")
        case (nil, _?) where tag == nil: throw ValidationError("--rootfs needs --tag NAME:TAG")
        default: break
        }
        if let platform, Platform(parsing: platform) == nil {
            throw ValidationError("invalid --platform \"\(platform)\"; expected os/arch[/variant], e.g. linux/amd64")
        }
    }

    func run() throws {
        let context = try Context(global)
        if let rootfs, let tag {
            let image = try context.images.importRootfs(directory: rootfs, reference: tag)
            print("\(image.reference) \(image.digest)")
            return
        }
        guard let path else { return }
        let wanted = platform.flatMap(Platform.init(parsing:)) ?? .host
        let images = try context.images.importArchive(path: path, name: name, platform: wanted)
        for image in images {
            print("\(image.reference) \(image.digest)")
        }
        if let tag, let first = images.first {
            try context.images.tag(source: first.reference, target: tag)
            let tagged = try context.images.resolve(tag, platform: wanted)
            print("\(tagged.reference) \(tagged.digest)")
        }
    }
}
