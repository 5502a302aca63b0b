import ArgumentParser
import Checkpoint
import Foundation
import Runtime

/// `berth checkpoint NAME --tag REF`: stores a container's rw layer, spec and (unless --no-process) its
/// processes' CRIU images as a checkpoint image in containerd's layout.
struct CheckpointCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint",
        abstract: "Save a container's filesystem changes, spec and processes as a checkpoint image.",
        discussion: """
            Without --no-process the container must be running: `runc checkpoint` dumps its processes with CRIU \
            (the container stops unless --leave-running). With --no-process only the writable layer and the spec \
            are saved; a running container is not paused, so files it writes meanwhile may be caught half-written.
            """)

    @OptionGroup(title: "Manifest") var manifest: ManifestOptions
    @OptionGroup(title: "State") var global: GlobalOptions

    @Option(name: .long, help: ArgumentHelp("Name of the checkpoint image.", valueName: "ref"))
    var tag: String

    @Flag(name: .long, help: "Keep the container running after its processes are checkpointed.")
    var leaveRunning = false

    @Flag(name: .long, help: "Save only the filesystem and spec (no CRIU process images).")
    var noProcess = false

    @Argument(help: "Container name.")
    var name: String

    func validate() throws {
        if noProcess && leaveRunning {
            throw ValidationError("--leave-running applies to a process checkpoint; --no-process never stops the container")
        }
    }

    func run() throws {
        let context = try Context(global)
        let project = try context.project(manifest)
        guard let record = try selectRecords(context, project: project, names: [name]).first else {
            throw CLIError(message: "no container \(name) in project \(project)")
        }
        let container = CheckpointedContainer(
            name: record.name, runtimeID: record.runtimeID, runtimeBinary: record.runtimeBinary,
            snapshotter: record.snapshotter, snapshotKey: record.snapshotKey,
            bundlePath: record.bundlePath, status: record.status.rawValue,
            imageReference: record.imageReference)
        let dumper = noProcess ? nil : RuntimeDriver(binary: record.runtimeBinary, root: context.root.runtimeRoot)
        let checkpoint = try ContainerCheckpointer(images: context.images, snapshotsRoot: context.root.snapshots)
            .checkpoint(container, tag: tag, processes: dumper, leaveRunning: leaveRunning)
        print("\(checkpoint.reference) \(checkpoint.digest)")
    }
}

/// `runc checkpoint` for the checkpoint module, which does not depend on the runtime.
extension RuntimeDriver: ProcessDumper {
    public func dumpProcesses(runtimeID: String, imagePath: String, workPath: String, leaveRunning: Bool) throws {
        let options = CheckpointOptions(imagePath: imagePath, workPath: workPath, leaveRunning: leaveRunning)
        try execute(checkpointArguments(id: runtimeID, options), verb: "checkpoint", id: runtimeID)
    }
}
