import ArgumentParser
import Checkpoint
import Foundation
import ImageStore
import OCI
import Runtime
import Snapshots
import State

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
        guard let imageReference = record.imageReference else {
            throw CLIError(message: "container \(name) has no image to checkpoint against")
        }
        let image = try context.images.resolve(imageReference)
        let spec = try readSpec(record.bundlePath + "/config.json")
        let rw = try rwSource(record, image: image)
        let scratch = try makeScratch()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        var criuDirectory: String?
        if !noProcess {
            criuDirectory = try dumpProcesses(record, root: context.root, scratch: scratch)
        }
        let request = CheckpointRequest(container: record.name, runtime: (record.runtimeBinary as NSString).lastPathComponent,
                                        snapshotter: record.snapshotter, baseImage: image, spec: spec, rw: rw,
                                        criuDirectory: criuDirectory)
        let checkpoint = try CheckpointWriter(store: context.images).write(request, tag: tag)
        print("\(checkpoint.reference) \(checkpoint.digest)")
    }

    func readSpec(_ path: String) throws -> RuntimeSpec {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CheckpointError("checkpoint-no-spec", "container \(name): cannot read its spec \(path)")
        }
        do { return try CanonicalJSON.decode(RuntimeSpec.self, from: data) } catch {
            throw CheckpointError("checkpoint-no-spec", "container \(name): \(path) is not a runtime spec", underlying: error)
        }
    }

    /// The writable snapshot: overlay's upper dir, or native's full copy compared with the image's top layer.
    func rwSource(_ record: ContainerRecord, image: ResolvedImage) throws -> RWSource {
        guard let kind = SnapshotterKind(rawValue: record.snapshotter), !record.snapshotKey.isEmpty else {
            throw CheckpointError("checkpoint-no-snapshot", "container \(name) has no writable snapshot "
                                  + "(snapshotter \"\(record.snapshotter)\")")
        }
        let snapshots = try SnapshotStore(root: global.root.snapshots, snapshotter: kind)
        let active = snapshots.activePath(record.snapshotKey)
        switch kind {
        case .overlayfs:
            return .overlayUpper(active + "/upper")
        case .native:
            let top = try snapshots.layers(of: image).last.map { snapshots.layerPath($0.chainID) }
            return .fullCopy(active + "/fs", base: top)
        }
    }

    /// `runc checkpoint` into `scratch/images`; returns that directory.
    func dumpProcesses(_ record: ContainerRecord, root: StateRoot, scratch: String) throws -> String {
        let criu = CriuCheck.run()
        guard criu.usable else { throw CheckpointError("criu-unusable", "container \(name): " + criu.message) }
        guard record.status == .running else {
            throw CLIError(message: "container \(name) is \(record.status.rawValue), not running; its processes cannot "
                           + "be checkpointed (use --no-process to save only its filesystem)")
        }
        let driver = RuntimeDriver(binary: record.runtimeBinary, root: root.runtimeRoot)
        let images = scratch + "/images"
        let options = RuntimeDriver.CheckpointOptions(imagePath: images, workPath: scratch + "/work", leaveRunning: leaveRunning)
        try driver.execute(driver.checkpointArguments(id: record.runtimeID, options), verb: "checkpoint", id: record.runtimeID)
        return images
    }

    func makeScratch() throws -> String {
        var template = Array((NSTemporaryDirectory() + "/berth-checkpoint-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw CheckpointError("checkpoint-io", "cannot create a temporary directory: \(String(cString: strerror(errno)))")
        }
        return String(cString: made)
    }
}
