import ArgumentParser
import BerthSystem
import Executor
import Foundation
import OCI
import State

/// `berth volume …`: the named volumes under the state root.
struct VolumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "volume",
        abstract: "List, inspect and remove named volumes.",
        subcommands: [VolumeList.self, VolumeInspect.self, VolumeRemove.self, VolumePrune.self])
}

/// One volume as `ls --format json` and `inspect` show it.
struct VolumeRow: Encodable {
    var name: String
    var project: String
    /// The host directory holding the data.
    var path: String
    var labels: [String: String]
    var device: String?
    var createdAt: String
    /// `project/container` of each container that mounts it.
    var usedBy: [String]

    init(_ record: VolumeRecord, volumes: ContainerVolumes) throws {
        name = record.name
        project = record.project
        path = try volumes.dataPath(record)
        labels = (try? JSONDecoder().decode([String: String].self, from: Data(record.labels.utf8))) ?? [:]
        device = record.device
        createdAt = record.createdAt
        usedBy = try volumes.users(of: record.name)
    }
}

struct VolumeList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List named volumes and the containers that mount them.")

    @OptionGroup(title: "State") var global: GlobalOptions
    @OptionGroup(title: "Output") var output: FormatOptions

    func run() throws {
        let context = try Context(global, readOnly: true)
        let volumes = ContainerVolumes(root: context.root, state: context.state)
        let rows = try context.state.volumes().map { try VolumeRow($0, volumes: volumes) }
        switch output.format {
        case .json:
            print(String(decoding: try CanonicalJSON.encodePretty(rows), as: UTF8.self), terminator: "")
        case .text:
            var table = [["VOLUME", "PROJECT", "USED BY", "PATH"]]
            for row in rows {
                table.append([row.name, row.project, row.usedBy.isEmpty ? "-" : row.usedBy.joined(separator: ","), row.path])
            }
            print(renderTable(table), terminator: "")
        }
    }
}

struct VolumeInspect: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inspect", abstract: "Show volumes as JSON.")

    @OptionGroup(title: "State") var global: GlobalOptions

    @Argument(help: "Volume names (full names: PROJECT_NAME).")
    var names: [String]

    func validate() throws {
        for name in names where !Names.isValid(name, .volume) {
            throw ValidationError(NameError(kind: .volume, value: name, source: "volume name").message)
        }
    }

    func run() throws {
        let context = try Context(global, readOnly: true)
        let volumes = ContainerVolumes(root: context.root, state: context.state)
        let rows = try names.map { name in
            guard let record = try context.state.volume(named: name) else {
                throw CLIError(message: "no volume \(name); `berth volume ls` lists them")
            }
            return try VolumeRow(record, volumes: volumes)
        }
        print(String(decoding: try CanonicalJSON.encodePretty(rows), as: UTF8.self), terminator: "")
    }
}

struct VolumeRemove: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm", abstract: "Remove volumes and their data; a volume a container mounts is refused, naming the container.")

    @OptionGroup(title: "State") var global: GlobalOptions

    @Argument(help: "Volume names (full names: PROJECT_NAME).")
    var names: [String]

    func validate() throws {
        for name in names where !Names.isValid(name, .volume) {
            throw ValidationError(NameError(kind: .volume, value: name, source: "volume name").message)
        }
    }

    func run() throws {
        let context = try Context(global)
        for record in try ContainerVolumes(root: context.root, state: context.state).remove(named: names) {
            printError("- volume \(record.name): removed")
        }
    }
}

struct VolumePrune: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "prune", abstract: "Remove every volume no container mounts.")

    @OptionGroup(title: "State") var global: GlobalOptions

    @Option(name: [.customShort("p"), .customLong("project-name")], help: "Only this project's volumes.")
    var projectName: String?

    func validate() throws {
        try validateProjectOption(projectName)
    }

    func run() throws {
        let context = try Context(global)
        for record in try ContainerVolumes(root: context.root, state: context.state).prune(project: projectName) {
            printError("- volume \(record.name): removed")
        }
    }
}
