import ArgumentParser
import Foundation
import Registry

/// `berth login REGISTRY`.
struct LoginCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Check credentials against a registry and store them (mode 0600) under the state root.")

    @OptionGroup(title: "State") var global: GlobalOptions
    @OptionGroup(title: "Registry") var registry: RegistryFlags
    @Argument(help: "The registry host[:port].") var server: String
    @Option(name: [.customShort("u"), .long], help: "User name.") var username: String
    @Flag(help: "Read the password from standard input.") var passwordStdin = false
    @Option(name: [.customShort("p"), .long], help: "Password (prefer --password-stdin).") var password: String?

    func validate() throws {
        if passwordStdin == (password != nil) { throw ValidationError("give exactly one of --password-stdin and --password") }
    }

    func run() throws {
        let context = try Context(global)
        var secret = password ?? ""
        if passwordStdin {
            secret = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
                .trimmingCharacters(in: .newlines)
        }
        let stored = try registry.client(root: context.root)
            .login(registry: server, credentials: RegistryCredentials(username: username, password: secret))
        print("Login succeeded: \(server) (credentials stored in \(stored), mode 0600; not in a Docker credential helper)")
    }
}
