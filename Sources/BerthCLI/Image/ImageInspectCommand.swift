import ArgumentParser
import Foundation
import ImageStore
import OCI

/// `berth image inspect REF`.
struct ImageInspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect", abstract: "Print an image's manifest digest, manifest and config as JSON.")
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
        let data = try CanonicalJSON.encodePretty(
            Inspection(
                reference: image.reference, digest: image.digest,
                manifest: image.manifest, config: image.config))
        FileHandle.standardOutput.write(data)
    }
}
