import ArgumentParser
import Executor
import Foundation
import OCI
import Runtime
import State

/// `berth top NAME`: the processes in a container's cgroup.
struct Top: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "top", abstract: "List the processes of a running container (host pids, from its cgroup).")

    @OptionGroup(title: "Manifest") var manifest: ManifestOptions
    @OptionGroup(title: "State") var global: GlobalOptions
    @OptionGroup(title: "Output") var output: FormatOptions

    @Argument(help: "The container's name.")
    var name: String

    func validate() throws {
        try validateContainerNames([name])
    }

    func run() throws {
        let context = try Context(global, readOnly: true)
        let project = try context.project(manifest)
        let record = try runningRecord(context, project: project, name: name)
        guard let pid = record.pid, let cgroup = Cgroup.of(pid: pid) else {
            throw CLIError(message: "cannot find the cgroup of container \(name) (pid \(record.pid.map(String.init) ?? "-"))", category: .runtime)
        }
        let processes = cgroup.processes().compactMap { ProcessEntry.read(pid: $0) }
        switch output.format {
        case .json:
            FileHandle.standardOutput.write(try CanonicalJSON.encodePretty(processes))
        case .text:
            var table = [["PID", "PPID", "UID", "TIME", "CMD"]]
            for p in processes {
                table.append([String(p.pid), String(p.ppid), String(p.uid), ProcessEntry.cpuTime(ticks: p.cpuTicks), p.command])
            }
            print(renderTable(table), terminator: "")
        }
    }
}

/// The record of `name` in `project` as the runtime shows it now; an error naming its status when it
/// does not run.
func runningRecord(_ context: Context, project: String, name: String) throws -> ContainerRecord {
    guard let record = try context.state.container(project: project, name: name) else {
        throw CLIError(message: "no container \(name) in project \(project)")
    }
    let observed = Liveness(root: context.root, state: context.state).observe(record).record
    guard observed.status == .running else {
        throw CLIError(
            message: "container \(name) is not running (\(ContainerExec.statusText(observed))); berth start \(name)", category: .runtime)
    }
    return observed
}
