import Foundation
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
    // Supervision, as the monitor reads it on every exit (so `stop` ends a restart policy at once).
    /// The restart policy (`no`, `on-failure[:N]`, `always`, `unless-stopped`); nil: no.
    public var restartPolicy: String?
    public var restartOnUnhealthy: Bool = false
    /// The health check the monitor runs, as JSON; nil: none.
    public var healthcheck: String?
    /// The signal `stop` sends first (`SIGTERM`, …); nil: SIGTERM.
    public var stopSignal: String?
    /// Seconds `stop` waits after the stop signal before SIGKILL; nil: the command's default.
    public var stopGracePeriod: Double?
    /// How many times the monitor has run the container again.
    public var restartCount: Int = 0
    /// `starting`, `healthy` or `unhealthy`; nil without a health check.
    public var health: String?
    /// The last probes (at most 5), as JSON: start, end, exit code, output (capped).
    public var healthLog: String?
    /// The full names of the named volumes it mounts, as a JSON array (what `volume rm` checks).
    public var volumes: String?

    /// `volumes` decoded; empty when there are none.
    public var volumeNames: [String] {
        volumes.flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) } ?? []
    }

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
    /// Ended, and its monitor runs it again after a backoff (its restart policy); `exitCode` is the last run's.
    case restarting

    /// Whether a monitor owns the container now (its record changes without Berth's commands).
    public var isActive: Bool { self == .created || self == .running || self == .restarting }
}

/// A health-checked container's state (`ContainerRecord.health`), docker's three words.
public enum HealthStatus: String, Codable, Hashable, Sendable {
    /// Started, no probe has passed yet (failures in the start period do not count).
    case starting
    case healthy
    /// `retries` probes in a row failed.
    case unhealthy
}

/// One health probe as `ContainerRecord.healthLog` keeps it.
public struct HealthProbeResult: Codable, Hashable, Sendable {
    public var start: String
    public var end: String
    /// The probe's exit code; -1 when it could not run or timed out.
    public var exitCode: Int32
    /// Its standard output and error, at most `HealthProbeResult.outputLimit` bytes.
    public var output: String

    public static let outputLimit = 4096
    /// How many probes a record keeps.
    public static let kept = 5

    public init(start: String, end: String, exitCode: Int32, output: String) {
        self.start = start
        self.end = end
        self.exitCode = exitCode
        self.output = output
    }
}

/// Row coding written out, column by column, with GRDB's own API: the Codable route GRDB takes otherwise decodes
/// and encodes every field through dynamic casts, whose first use in a process (every command, every monitor) is a
/// search of the binary's conformance records. `StateStoreTests` round-trip a record with every field set.
extension ContainerRecord {
    public init(row: Row) throws {
        project = try row.decode(forColumn: "project")
        name = try row.decode(forColumn: "name")
        runtimeID = try row.decode(forColumn: "runtimeID")
        configHash = try row.decode(forColumn: "configHash")
        configJSON = try row.decode(forColumn: "configJSON")
        specDigest = try row.decode(forColumn: "specDigest")
        imageReference = try row.decode(forColumn: "imageReference")
        imageDigest = try row.decode(forColumn: "imageDigest")
        snapshotter = try row.decode(forColumn: "snapshotter")
        snapshotKey = try row.decode(forColumn: "snapshotKey")
        bundlePath = try row.decode(forColumn: "bundlePath")
        runtimeBinary = try row.decode(forColumn: "runtimeBinary")
        noPivot = try row.decode(forColumn: "noPivot")
        status = try row.decode(forColumn: "status")
        pid = try row.decode(forColumn: "pid")
        monitorPID = try row.decode(forColumn: "monitorPID")
        exitCode = try row.decode(forColumn: "exitCode")
        failure = try row.decode(forColumn: "failure")
        createdAt = try row.decode(forColumn: "createdAt")
        startedAt = try row.decode(forColumn: "startedAt")
        finishedAt = try row.decode(forColumn: "finishedAt")
        restartPolicy = try row.decode(forColumn: "restartPolicy")
        restartOnUnhealthy = try row.decode(forColumn: "restartOnUnhealthy")
        healthcheck = try row.decode(forColumn: "healthcheck")
        stopSignal = try row.decode(forColumn: "stopSignal")
        stopGracePeriod = try row.decode(forColumn: "stopGracePeriod")
        restartCount = try row.decode(forColumn: "restartCount")
        health = try row.decode(forColumn: "health")
        healthLog = try row.decode(forColumn: "healthLog")
        volumes = try row.decode(forColumn: "volumes")
    }

    public func encode(to container: inout PersistenceContainer) throws {
        container["project"] = project
        container["name"] = name
        container["runtimeID"] = runtimeID
        container["configHash"] = configHash
        container["configJSON"] = configJSON
        container["specDigest"] = specDigest
        container["imageReference"] = imageReference
        container["imageDigest"] = imageDigest
        container["snapshotter"] = snapshotter
        container["snapshotKey"] = snapshotKey
        container["bundlePath"] = bundlePath
        container["runtimeBinary"] = runtimeBinary
        container["noPivot"] = noPivot
        container["status"] = status
        container["pid"] = pid
        container["monitorPID"] = monitorPID
        container["exitCode"] = exitCode
        container["failure"] = failure
        container["createdAt"] = createdAt
        container["startedAt"] = startedAt
        container["finishedAt"] = finishedAt
        container["restartPolicy"] = restartPolicy
        container["restartOnUnhealthy"] = restartOnUnhealthy
        container["healthcheck"] = healthcheck
        container["stopSignal"] = stopSignal
        container["stopGracePeriod"] = stopGracePeriod
        container["restartCount"] = restartCount
        container["health"] = health
        container["healthLog"] = healthLog
        container["volumes"] = volumes
    }
}
