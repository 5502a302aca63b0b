import ArgumentParser
import Executor
import Foundation
import OCI
import Runtime
import State
#if canImport(Glibc)
import Glibc
#endif

/// `berth stats [NAME…]`: CPU, memory and pids of running containers, from their cgroups.
struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Show CPU, memory and process counts of running containers (all running ones of the project when no name is given).",
        discussion: "Refreshed about once a second until interrupted, unless --no-stream is given.")

    @OptionGroup(title: "Manifest") var manifest: ManifestOptions
    @OptionGroup(title: "State") var global: GlobalOptions
    @OptionGroup(title: "Output") var output: FormatOptions

    @Flag(help: "Print one reading and exit.")
    var noStream = false

    @Argument(help: "Container names.")
    var names: [String] = []

    func validate() throws {
        try validateContainerNames(names)
    }

    func run() throws {
        let context = try Context(global, readOnly: true)
        let project = try context.project(manifest)
        let liveness = Liveness(root: context.root, state: context.state)
        let records = try selectRecords(context, project: project, names: names).map { liveness.observe($0).record }
        if !names.isEmpty, let stopped = records.first(where: { $0.status != .running }) {
            throw CLIError(
                message: "container \(stopped.name) is not running (\(ContainerExec.statusText(stopped))); berth start \(stopped.name)",
                category: .runtime)
        }
        let running = records.filter { $0.status == .running }
        let cgroups = running.map { record in (record.name, record.pid.flatMap { Cgroup.of(pid: $0) }) }
        let host = Cgroup.hostMemory()
        let terminal = isatty(STDOUT_FILENO) == 1
        var previous = cgroups.map { $0.1?.sample() }
        var last = Date()
        var first = true
        while true {
            // The first CPU figure needs two readings: half a second apart, then once a second.
            Thread.sleep(forTimeInterval: first ? 0.5 : 1)
            let now = Date()
            let current = cgroups.map { $0.1?.sample() }
            let rows = cgroups.indices.map { i in
                current[i].map {
                    ContainerStats.compute(
                        name: cgroups[i].0, previous: previous[i], current: $0, seconds: now.timeIntervalSince(last), hostMemory: host)
                } ?? ContainerStats(name: cgroups[i].0)
            }
            try print(rows, clear: terminal && !noStream && output.format == .text, pretty: noStream)
            if noStream { return }
            previous = current
            last = now
            first = false
        }
    }

    private func print(_ rows: [ContainerStats], clear: Bool, pretty: Bool) throws {
        var text: String
        switch output.format {
        case .json:
            text = String(decoding: pretty ? try CanonicalJSON.encodePretty(rows) : try CanonicalJSON.encode(rows) + Data("\n".utf8), as: UTF8.self)
        case .text:
            text = renderTable(Self.table(rows))
        }
        if clear { text = "\u{1B}[2J\u{1B}[H" + text }
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// The text table: NAME, CPU %, MEM USAGE / LIMIT, MEM %, PIDS; `-` for what could not be read.
    static func table(_ rows: [ContainerStats]) -> [[String]] {
        var table = [["NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "PIDS"]]
        for row in rows {
            let memory = row.memoryBytes.map(ContainerStats.humanBytes) ?? "-"
            let limit = row.memoryLimitBytes.map(ContainerStats.humanBytes) ?? "-"
            table.append([
                row.name, row.cpuPercent.map { String(format: "%.2f%%", $0) } ?? "-", "\(memory) / \(limit)",
                row.memoryPercent.map { String(format: "%.2f%%", $0) } ?? "-", row.pids.map(String.init) ?? "-",
            ])
        }
        return table
    }
}
