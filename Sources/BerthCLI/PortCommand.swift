import ArgumentParser
import Foundation
import Manifest
import State

/// `berth port NAME [PORT[/PROTOCOL]]`: a container's published ports, as docker prints them.
struct PortCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "port",
        abstract: "List a container's published ports, or where one container port is published.")

    @OptionGroup(title: "Manifest") var manifest: ManifestOptions
    @OptionGroup(title: "State") var global: GlobalOptions

    @Argument(help: "The container's name.")
    var name: String

    @Argument(help: "Only this container port, as PORT or PORT/PROTOCOL (tcp when left out).")
    var port: String?

    func run() throws {
        let context = try Context(global, readOnly: true)
        let project = try context.project(manifest)
        guard let record = try selectRecords(context, project: project, names: [name]).first else { return }
        let mappings = try context.state.attachments(project: project, container: record.name).flatMap(\.ports)
            .compactMap(PortMapping.init(shortForm:))
        var selected = mappings
        if let port {
            guard let wanted = ExposedPort(parsing: port) else {
                throw ValidationError("invalid port \(port): expected PORT or PORT/PROTOCOL (tcp, udp, sctp)")
            }
            selected = mappings.filter { $0.containerPort == wanted.port && $0.proto == wanted.proto }
            guard !selected.isEmpty else {
                throw CLIError(message: "no public port \(wanted.port)/\(wanted.proto.rawValue) published for \(record.name)")
            }
            for mapping in selected { print("\(mapping.hostIP?.description ?? "0.0.0.0"):\(mapping.hostPort)") }
            return
        }
        for mapping in selected.sorted(by: { ($0.containerPort, $0.proto) < ($1.containerPort, $1.proto) }) {
            print("\(mapping.containerPort)/\(mapping.proto.rawValue) -> \(mapping.hostIP?.description ?? "0.0.0.0"):\(mapping.hostPort)")
        }
    }
}
