import Foundation
import ImageStore
import OCI
import Snapshots
#if canImport(Glibc)
import Glibc
#endif

/// The container a checkpoint is taken of, as the state database records it.
public struct CheckpointedContainer: Sendable {
    public var name: String
    public var runtimeID: String
    /// The runtime binary's path; its last component is recorded in the checkpoint's index.
    public var runtimeBinary: String
    public var snapshotter: String
    public var snapshotKey: String
    public var bundlePath: String
    /// The recorded status (`running`, `exited`, …): only a running container's processes can be dumped.
    public var status: String
    public var imageReference: String?

    public init(
        name: String, runtimeID: String, runtimeBinary: String, snapshotter: String, snapshotKey: String,
        bundlePath: String, status: String, imageReference: String?
    ) {
        self.name = name
        self.runtimeID = runtimeID
        self.runtimeBinary = runtimeBinary
        self.snapshotter = snapshotter
        self.snapshotKey = snapshotKey
        self.bundlePath = bundlePath
        self.status = status
        self.imageReference = imageReference
    }
}

/// Dumps a running container's processes with CRIU into `imagePath` (`runc checkpoint`). The runtime driver
/// provides it, so that this module (which the planner imports) never depends on the runtime.
public protocol ProcessDumper {
    func dumpProcesses(runtimeID: String, imagePath: String, workPath: String, leaveRunning: Bool) throws
}

/// `berth checkpoint`: a container's writable layer, spec and (with a `ProcessDumper`) its processes' CRIU
/// images, written as a checkpoint image in containerd's layout.
public struct ContainerCheckpointer {
    public var images: ImageStore
    /// The snapshotters' root under the state root (`StateRoot.snapshots`).
    public var snapshotsRoot: String

    public init(images: ImageStore, snapshotsRoot: String) {
        self.images = images
        self.snapshotsRoot = snapshotsRoot
    }

    /// Writes the checkpoint of `container` and names it `tag`. With `processes`, the container must be
    /// running and CRIU usable; its processes are dumped (the container stops unless `leaveRunning`).
    /// Without, only its files and spec are saved, and a running container is not paused.
    public func checkpoint(
        _ container: CheckpointedContainer, tag: String, processes: (any ProcessDumper)?,
        leaveRunning: Bool = false
    ) throws -> CheckpointImage {
        guard let imageReference = container.imageReference else {
            throw CheckpointError(
                "checkpoint-no-image", "container \(container.name) has no image to checkpoint against",
                category: .usage)
        }
        let image = try images.resolve(imageReference)
        let spec = try readSpec(container)
        let rw = try rwSource(container, image: image)
        let scratch = try Self.makeScratch()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        var criuDirectory: String?
        if let processes {
            criuDirectory = try dump(container, with: processes, scratch: scratch, leaveRunning: leaveRunning)
        }
        let request = CheckpointRequest(
            container: container.name, runtime: (container.runtimeBinary as NSString).lastPathComponent,
            snapshotter: container.snapshotter, baseImage: image, spec: spec, rw: rw,
            criuDirectory: criuDirectory)
        return try CheckpointWriter(store: images).write(request, tag: tag)
    }

    func readSpec(_ container: CheckpointedContainer) throws -> RuntimeSpec {
        let path = container.bundlePath + "/config.json"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CheckpointError("checkpoint-no-spec", "container \(container.name): cannot read its spec \(path)")
        }
        do { return try CanonicalJSON.decode(RuntimeSpec.self, from: data) } catch {
            throw CheckpointError("checkpoint-no-spec", "container \(container.name): \(path) is not a runtime spec", underlying: error)
        }
    }

    /// The writable snapshot: overlay's upper dir, or native's full copy compared with the image's top layer.
    func rwSource(_ container: CheckpointedContainer, image: ResolvedImage) throws -> RWSource {
        guard let kind = SnapshotterKind(rawValue: container.snapshotter), !container.snapshotKey.isEmpty else {
            throw CheckpointError(
                "checkpoint-no-snapshot",
                "container \(container.name) has no writable snapshot "
                    + "(snapshotter \"\(container.snapshotter)\")")
        }
        let snapshots = try SnapshotStore(root: snapshotsRoot, snapshotter: kind)
        let active = snapshots.activePath(container.snapshotKey)
        switch kind {
        case .overlayfs:
            return .overlayUpper(active + "/upper")
        case .native:
            let top = try snapshots.layers(of: image).last.map { snapshots.layerPath($0.chainID) }
            return .fullCopy(active + "/fs", base: top)
        }
    }

    /// CRIU images of the container's processes in `scratch/images`; returns that directory.
    func dump(
        _ container: CheckpointedContainer, with dumper: any ProcessDumper, scratch: String,
        leaveRunning: Bool
    ) throws -> String {
        let criu = CriuCheck.run()
        guard criu.usable else { throw CheckpointError("criu-unusable", "container \(container.name): " + criu.message) }
        guard container.status == "running" else {
            throw CheckpointError(
                "checkpoint-not-running",
                "container \(container.name) is \(container.status), not running; its processes cannot "
                    + "be checkpointed (use --no-process to save only its filesystem)", category: .usage)
        }
        let images = scratch + "/images"
        try dumper.dumpProcesses(
            runtimeID: container.runtimeID, imagePath: images, workPath: scratch + "/work",
            leaveRunning: leaveRunning)
        return images
    }

    static func makeScratch() throws -> String {
        var template = Array((NSTemporaryDirectory() + "/berth-checkpoint-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw CheckpointError("checkpoint-io", "cannot create a temporary directory: \(String(cString: strerror(errno)))")
        }
        return String(cString: made)
    }
}
