import ArgumentParser
import Foundation
import ImageStore
import OCI
import Planner
import Registry

/// `berth image pull REF`.
struct ImagePull: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Pull an image from its registry into the store, verifying every blob.",
        discussion:
            "References are normalized as docker does (`alpine` is docker.io/library/alpine:latest). Blobs already in the store are not fetched again, and a blob cut off midway continues from the bytes already received (HTTP Range), so an interrupted pull resumes."
    )

    @OptionGroup(title: "State") var global: GlobalOptions
    @OptionGroup(title: "Registry") var registry: RegistryFlags

    @Argument(help: "The image reference.") var reference: String
    @Option(help: ArgumentHelp("Platform to pull from a multi-platform image (os/arch[/variant]).", valueName: "platform"))
    var platform: String?
    @Flag(name: [.customShort("q"), .long], help: "Print no progress.") var quiet = false

    func validate() throws {
        if let platform, Platform(parsing: platform) == nil {
            throw ValidationError("invalid --platform \"\(platform)\"; expected os/arch[/variant], e.g. linux/amd64")
        }
    }

    func run() throws {
        let context = try Context(global)
        let display = !quiet && isatty(STDERR_FILENO) == 1 ? PullProgressDisplay() : nil
        var progress: (@Sendable (PullProgress) -> Void)?
        if let display { progress = { display.update($0) } }
        let wanted = platform.flatMap(Platform.init(parsing:)) ?? .host
        let image: ResolvedImage
        do {
            image = try registry.client(root: context.root).pull(
                reference, into: context.images, platform: wanted,
                progress: progress)
        } catch {
            display?.finish()
            throw error
        }
        display?.finish()
        print("\(image.reference) \(image.digest)")
    }
}
