import ArgumentParser
import Foundation
import OCI
import Planner
import Registry

/// `berth image pull REF`.
struct ImagePull: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Pull an image from its registry into the store, verifying every blob.",
        discussion: "References are normalized as docker does (`alpine` is docker.io/library/alpine:latest). Blobs already in the store are not fetched again, so an interrupted pull resumes.")

    @OptionGroup(title: "State") var global: GlobalOptions
    @OptionGroup(title: "Registry") var registry: RegistryFlags

    @Argument(help: "The image reference.") var reference: String
    @Option(help: ArgumentHelp("Platform to pull from a multi-platform image (os/arch[/variant]).", valueName: "platform"))
    var platform: String?
    @Flag(name: [.customShort("q"), .long], help: "Print no progress.") var quiet = false

    /// One line on stderr, rewritten in place: the blob, its bytes, and the total.
    @Sendable static func printProgress(_ p: PullProgress) {
        let blob = "\(p.digest.shortID) \(p.state.rawValue) \(PlanRenderer.byteCount(p.completedBytes))/\(PlanRenderer.byteCount(p.totalBytes))"
        let total = "total \(PlanRenderer.byteCount(p.overallCompletedBytes))/\(PlanRenderer.byteCount(p.overallTotalBytes))"
        FileHandle.standardError.write(Data("\r\(blob)  \(total)   ".utf8))
    }

    func validate() throws {
        if let platform, Platform(parsing: platform) == nil {
            throw ValidationError("invalid --platform \"\(platform)\"; expected os/arch[/variant], e.g. linux/amd64")
        }
    }

    func run() throws {
        let context = try Context(global)
        let showProgress = !quiet && isatty(STDERR_FILENO) == 1
        let progress: (@Sendable (PullProgress) -> Void)? = showProgress ? Self.printProgress : nil
        let wanted = platform.flatMap(Platform.init(parsing:)) ?? .host
        let image = try registry.client(root: context.root).pull(reference, into: context.images, platform: wanted,
                                                                  progress: progress)
        if showProgress { FileHandle.standardError.write(Data("\n".utf8)) }
        print("\(image.reference) \(image.digest)")
    }
}
