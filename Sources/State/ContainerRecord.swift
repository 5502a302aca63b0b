import GRDB

/// What Berth knows of one container. The runtime is the truth for liveness; this records intent and history.
public struct ContainerRecord: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "container"

    public var project: String
    public var name: String
    /// The id given to the OCI runtime.
    public var runtimeID: String
    /// Hash of the container's canonical manifest entry plus its inputs (image digest, …).
    public var configHash: String
    /// The canonical JSON of the manifest entry the container was made from, for field-level change reasons.
    public var configJSON: String?
    public var specDigest: String?
    public var imageReference: String?
    public var imageDigest: String?
    public var snapshotter: String
    public var snapshotKey: String
    public var bundlePath: String
    /// Absolute path of the runtime executable.
    public var runtimeBinary: String
    public var noPivot: Bool
    public var status: ContainerStatus
    public var pid: Int32?
    public var monitorPID: Int32?
    public var exitCode: Int32?
    /// Why the container failed, when `status` is `failed`.
    public var failure: String?
    public var createdAt: String
    public var startedAt: String?
    public var finishedAt: String?

    public init(
        project: String, name: String, runtimeID: String, configHash: String, specDigest: String? = nil,
        imageReference: String? = nil, imageDigest: String? = nil, snapshotter: String, snapshotKey: String,
        bundlePath: String, runtimeBinary: String, noPivot: Bool = false, status: ContainerStatus,
        createdAt: String
    ) {
        self.project = project
        self.name = name
        self.runtimeID = runtimeID
        self.configHash = configHash
        self.specDigest = specDigest
        self.imageReference = imageReference
        self.imageDigest = imageDigest
        self.snapshotter = snapshotter
        self.snapshotKey = snapshotKey
        self.bundlePath = bundlePath
        self.runtimeBinary = runtimeBinary
        self.noPivot = noPivot
        self.status = status
        self.createdAt = createdAt
    }
}

/// The life of a container as Berth records it.
public enum ContainerStatus: String, Codable, Hashable, Sendable, DatabaseValueConvertible {
    /// Bundle written, monitor not yet reported a start.
    case created
    case running
    /// The process ended; `exitCode` holds its status.
    case exited
    /// The runtime refused to create or start it; `failure` says why.
    case failed
    /// Stopped by `berth stop`.
    case stopped
}
