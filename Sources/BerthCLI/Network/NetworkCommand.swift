import ArgumentParser
import Foundation
import OCI
import State

/// `berth network …`: the networks Berth made.
struct NetworkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "network",
        abstract: "List the networks Berth made (a bridge and a subnet per project network).",
        subcommands: [NetworkList.self])
}

/// `berth network ls`: every network recorded under the state root, with its members.
struct NetworkList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List networks and the containers on them.")

    @OptionGroup(title: "State") var global: GlobalOptions
    @OptionGroup(title: "Output") var output: FormatOptions

    struct Row: Encodable {
        var name: String
        var project: String
        var subnet: String
        var gateway: String
        var bridge: String
        var `internal`: Bool
        /// `project/container` of each member, with its address while attached.
        var members: [String]
    }

    func run() throws {
        let context = try Context(global, readOnly: true)
        let members = try context.state.attachments()
        let rows = try context.state.networks().map { network in
            Row(
                name: network.fullName, project: network.project, subnet: network.subnet, gateway: network.gateway,
                bridge: network.bridge, internal: network.isInternal,
                members: members.filter { $0.networkProject == network.project && $0.network == network.name }
                    .map { "\($0.project)/\($0.container)" + ($0.address.map { " \($0)" } ?? "") })
        }
        switch output.format {
        case .json:
            print(String(decoding: try CanonicalJSON.encodePretty(rows), as: UTF8.self), terminator: "")
        case .text:
            var table = [["NETWORK", "SUBNET", "GATEWAY", "BRIDGE", "MEMBERS"]]
            for row in rows {
                table.append([
                    row.name + (row.internal ? " (internal)" : ""), row.subnet, row.gateway, row.bridge, "\(row.members.count)",
                ])
            }
            print(renderTable(table), terminator: "")
        }
    }
}
