import ArgumentParser
import Foundation
import ImageBuild
import Manifest

/// `berth build [NAME…]`: build the images of `build:` with buildah, whatever their state.
struct BuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build the images of containers with `build:` (all when no name is given) with buildah, and import them into the store.",
        discussion:
            "`apply` builds an image only when its inputs changed (context files as .dockerignore leaves them, the Dockerfile, args, target, labels) or it left the store; `apply --build` builds every one, `apply --no-build` none."
    )

    @OptionGroup(title: "Manifest") var manifest: ManifestOptions
    @OptionGroup(title: "State") var global: GlobalOptions

    @Argument(help: "Container names.")
    var names: [String] = []

    func run() throws {
        let context = try Context(global)
        let loaded = try manifest.load()
        try ImageBuilds.run(loaded, project: manifest.projectName ?? loaded.name, context: context, only: names, force: true)
    }
}

/// Builds for `apply` and `build`: progress and results on stderr.
enum ImageBuilds {
    static func run(_ manifest: ProjectManifest, project: String, context: Context, only: [String] = [], force: Bool) throws {
        let unknown = only.filter { manifest.container(named: $0)?.build == nil }
        guard unknown.isEmpty else {
            throw CLIError(message: "no container with `build:` named \(unknown.joined(separator: ", "))")
        }
        let builder = ImageBuilder(root: context.root, images: context.images)
        for container in manifest.containers where container.build != nil && (only.isEmpty || only.contains(container.name)) {
            guard let status = try builder.build(project: project, container: container, force: force, log: { printError($0) }) else { continue }
            printError("build \(container.name): \(status.reason)")
        }
    }
}
