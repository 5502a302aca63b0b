import ArgumentParser
import Foundation
import OCI
import State
import Executor
import Manifest

/// `berth ps`: the containers Berth manages.
struct PS: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ps", abstract: "List containers.")

    @OptionGroup(title: "State") var global: GlobalOptions
    @OptionGroup(title: "Output") var output: FormatOptions

    @Option(name: [.customShort("p"), .customLong("project-name")], help: "Only this project.")
    var projectName: String?

    func validate() throws {
        try validateProjectOption(projectName)
    }

    struct Row: Encodable {
        var project: String
        var name: String
        var status: String
        var pid: Int32?
        /// The monitor supervising the container while it runs (as podman shows conmon's pid).
        var monitorPid: Int32?
        /// False for a running container whose monitor is gone (its end and output are not recorded).
        var supervised: Bool?
        /// False for a container the runtime has under this state root but the state database does not
        /// record (the database was lost or is unreadable): `berth down -p PROJECT` removes it.
        var recorded: Bool?
        var exitCode: Int32?
        var image: String?
        var imageDigest: String?
        var createdAt: String
        /// Published ports, as docker prints them: `0.0.0.0:8080->80/tcp`.
        var ports: [String]?
        /// The networks the container is on (full names) and its address on each while attached.
        var networks: [NetworkRow]?
        /// How many times its restart policy ran it again (present for recorded containers).
        var restartCount: Int?
        /// `starting`, `healthy` or `unhealthy`; absent without a health check.
        var health: String?
    }

    struct NetworkRow: Encodable {
        var name: String
        var address: String?
    }

    func run() throws {
        var records: [ContainerRecord] = []
        var attachments: [String: [AttachmentRecord]] = [:]
        var runtimeBinary: String?
        var store: StateStore?
        do {
            let context = try Context(global, readOnly: true)
            store = context.state
            records = try projectName.map { try context.state.containers(project: $0) } ?? context.state.allContainers()
            runtimeBinary = records.first?.runtimeBinary
            attachments = Dictionary(grouping: try context.state.attachments()) { "\($0.project)/\($0.container)" }
        } catch  where Context.isUnreadableState(error) {
            printError(
                "berth: warning: \(error); showing what the runtime runs under \(global.root.path). "
                    + "`berth repair` moves the damaged database aside.")
        }
        let liveness = Liveness(root: global.root, state: store)
        let observed = records.map(liveness.observe)
        var rows = observed.map { o in
            let r = o.record
            let running = r.status == .running
            let member = attachments["\(r.project)/\(r.name)"] ?? []
            let ports = member.flatMap(\.ports).compactMap { PortMapping(shortForm: $0)?.description }
            return Row(
                project: r.project, name: r.name, status: r.status.rawValue, pid: running ? r.pid : nil,
                monitorPid: running && o.supervised ? r.monitorPID : nil, supervised: running ? o.supervised : nil,
                exitCode: r.exitCode, image: r.imageReference, imageDigest: r.imageDigest, createdAt: r.createdAt,
                ports: ports.isEmpty ? nil : ports,
                networks: member.isEmpty ? nil : member.map { NetworkRow(name: "\($0.networkProject)_\($0.network)", address: $0.address) },
                restartCount: r.restartCount, health: r.status.isActive ? r.health : nil)
        }
        let known = Set(records.map(\.runtimeID))
        for entry in try RuntimeInventory(root: global.root, runtimeBinary: runtimeBinary).containers(notIn: known)
        where projectName == nil || entry.project == projectName {
            rows.append(
                Row(
                    project: entry.project, name: entry.name, status: entry.status, pid: entry.pid, recorded: false,
                    createdAt: ""))
        }
        switch output.format {
        case .json:
            print(String(decoding: try CanonicalJSON.encodePretty(rows), as: UTF8.self), terminator: "")
        case .text:
            var table = [["PROJECT", "NAME", "STATUS", "PID", "IMAGE", "ADDRESSES", "PORTS", "CREATED"]]
            for row in rows {
                var status = row.status == "exited" ? "exited (\(row.exitCode.map(String.init) ?? "?"))" : row.status
                if let health = row.health { status += " (\(health))" }
                if let count = row.restartCount, count > 0 { status += " (restarted \(count)×)" }
                if row.supervised == false { status += " (unsupervised)" }
                if row.recorded == false { status += " (unrecorded)" }
                let addresses = (row.networks ?? []).compactMap(\.address).joined(separator: ",")
                let ports = (row.ports ?? []).joined(separator: ",")
                table.append([
                    row.project, row.name, status, row.pid.map(String.init) ?? "-", row.image ?? "-", addresses.isEmpty ? "-" : addresses,
                    ports.isEmpty ? "-" : ports, row.createdAt,
                ])
            }
            print(renderTable(table), terminator: "")
        }
    }
}

/// Left-aligned columns separated by three spaces.
func renderTable(_ rows: [[String]]) -> String {
    guard let first = rows.first else { return "" }
    var widths = Array(repeating: 0, count: first.count)
    for row in rows {
        for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
    }
    return rows.map { row in
        row.enumerated().map { i, cell in
            i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
        }.joined(separator: "   ")
    }.joined(separator: "\n") + "\n"
}
