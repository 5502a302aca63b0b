import ArgumentParser
import Foundation
import Registry
import State

/// How to reach registries.
struct RegistryFlags: ParsableArguments {
    @Option(
        name: .customLong("insecure-registry"),
        help: ArgumentHelp("Allow plain HTTP for this registry (host[:port]); loopback always may.", valueName: "host"))
    var insecureRegistries: [String] = []

    @Option(
        name: .customLong("ca-cert"), help: ArgumentHelp("Trust this PEM certificate for registries, besides the system store.", valueName: "file"))
    var caCertificates: [String] = []

    func client(root: StateRoot) -> RegistryClient {
        RegistryClient(
            options: RegistryOptions(
                stateRoot: root.path, insecureRegistries: Set(insecureRegistries),
                extraCACertificates: caCertificates))
    }
}
