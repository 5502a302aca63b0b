import ArgumentParser
import ImageStore

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
