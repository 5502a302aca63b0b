import BerthSystem
import Foundation
import Manifest
import OCI
import State

/// What `berth inspect` shows of one container: the record exactly as stored (encoded through its own
/// `Codable` conformance, so every field the record gains appears), what is true now, the runtime spec's
/// digest and mounts as the bundle holds them, and its network attachments.
public struct ContainerInspection: Encodable, Sendable {
    public var record: ContainerRecord
    /// The status and pid as the runtime shows them now (`ps`'s view), and whether a monitor supervises it.
    public var observed: Observed
    public var spec: Spec?
    public var networks: [AttachmentRecord]
    /// The health check, its status and the last probes (at most 5), decoded; nil without a check.
    public var health: Health?
    /// The restart policy and how many times it ran the container again.
    public var restarts: Restarts

    public struct Health: Encodable, Sendable {
        public var status: String?
        public var check: HealthCheck?
        public var log: [HealthProbeResult]
    }

    public struct Restarts: Encodable, Sendable {
        public var policy: String
        public var count: Int
    }

    public struct Observed: Encodable, Sendable {
        public var status: String
        public var pid: Int32?
        public var supervised: Bool
    }

    /// The bundle's `config.json`: where it is, the digest of its bytes now (the record's `specDigest` is
    /// the digest when it was written), and its mounts.
    public struct Spec: Encodable, Sendable {
        public var path: String
        public var digest: String
        public var mounts: [OCIMount]
        public var cgroupsPath: String?
    }

    /// Reads everything for `record`; a missing or unreadable config.json leaves `spec` out.
    public static func of(_ record: ContainerRecord, root: StateRoot, state: StateStore) throws -> ContainerInspection {
        let seen = Liveness(root: root, state: state).observe(record)
        let path = record.bundlePath + "/config.json"
        var spec: Spec?
        if let data = try? Data(contentsOf: URL(fileURLWithPath: path)),
            let decoded = try? CanonicalJSON.decode(RuntimeSpec.self, from: data)
        {
            spec = Spec(path: path, digest: SHA256Hex.digest(of: data), mounts: decoded.mounts ?? [], cgroupsPath: decoded.linux?.cgroupsPath)
        }
        return ContainerInspection(
            record: record,
            observed: Observed(
                status: seen.record.status.rawValue, pid: seen.record.status == .running ? seen.record.pid : nil,
                supervised: seen.supervised),
            spec: spec,
            networks: try state.attachments(project: record.project, container: record.name),
            health: record.healthcheck.map { text in
                Health(
                    status: record.health, check: try? JSONDecoder().decode(HealthCheck.self, from: Data(text.utf8)),
                    log: record.healthLog.flatMap { try? JSONDecoder().decode([HealthProbeResult].self, from: Data($0.utf8)) } ?? [])
            },
            restarts: Restarts(policy: record.restartPolicy ?? "no", count: record.restartCount))
    }
}
