import ArgumentParser
import Foundation
import ImageStore
import OCI
import Planner

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

/// `berth image tag SOURCE TARGET`.
struct ImageTag: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tag", abstract: "Give an image another name.")
    @OptionGroup(title: "State") var global: GlobalOptions
    @Argument(help: "The existing reference.") var source: String
    @Argument(help: "The new reference.") var target: String

    func run() throws {
        try Context(global).images.tag(source: source, target: target)
    }
}

/// `berth image export REF -o FILE`.
struct ImageExport: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Write an image as an OCI archive (the same bytes on every run).")
    @OptionGroup(title: "State") var global: GlobalOptions
    @Argument(help: "The image reference.") var reference: String
    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("The archive to write.", valueName: "file")) var output: String

    func run() throws {
        try Context(global).images.export(reference: reference, to: output)
    }
}

/// `berth image inspect REF`.
struct ImageInspect: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inspect", abstract: "Print an image's manifest digest, manifest and config as JSON.")
    @OptionGroup(title: "State") var global: GlobalOptions
    @Argument(help: "The image reference.") var reference: String

    struct Inspection: Encodable {
        var reference: String
        var digest: Digest
        var manifest: ImageManifest
        var config: ImageConfiguration
    }

    func run() throws {
        let image = try Context(global).images.resolve(reference)
        let data = try CanonicalJSON.encodePretty(Inspection(reference: image.reference, digest: image.digest,
                                                             manifest: image.manifest, config: image.config))
        FileHandle.standardOutput.write(data)
    }
}

/// `berth image unpack REF`: pre-warm a machine, as `ctr` users do.
struct ImageUnpack: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "unpack", abstract: "Unpack an image's layers into a snapshotter without running anything.")
    @OptionGroup(title: "State") var global: GlobalOptions
    @Argument(help: "The image reference.") var reference: String
    @Option(help: "overlayfs or native.") var snapshotter: String = "overlayfs"

    func run() throws {
        let context = try Context(global)
        let image = try context.images.resolve(reference)
        let unpacked = try context.snapshots.store(for: snapshotter)
            .unpack(image, from: context.images, progress: .standardErrorIfTerminal())
        print("\(image.reference): unpacked \(unpacked.count) of \(image.manifest.layers.count) layers into \(snapshotter)")
    }
}

/// `berth image prune`.
struct ImagePrune: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "prune", abstract: "Remove blobs no image refers to.")
    @OptionGroup(title: "State") var global: GlobalOptions

    func run() throws {
        let result = try Context(global).images.prune()
        print("removed \(result.removed.count) blobs, \(PlanRenderer.byteCount(result.bytes))")
    }
}
