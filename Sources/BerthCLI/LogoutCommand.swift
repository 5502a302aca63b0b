import ArgumentParser
import Registry

/// `berth logout REGISTRY`.
struct LogoutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logout", abstract: "Forget the credentials stored for a registry.")
    @OptionGroup(title: "State") var global: GlobalOptions
    @Argument(help: "The registry host[:port].") var server: String

    func run() throws {
        let context = try Context(global)
        try RegistryClient(options: RegistryOptions(stateRoot: context.root.path)).logout(registry: server)
        print("Removed credentials for \(server)")
    }
}
