/// An image configuration (image-spec config.md).
public struct ImageConfiguration: Codable, Hashable, Sendable {
    public var created: String?
    public var author: String?
    public var architecture: String
    public var os: String
    public var osVersion: String?
    public var osFeatures: [String]?
    public var variant: String?
    public var config: ExecutionConfig?
    public var rootfs: RootFS
    public var history: [History]?

    enum CodingKeys: String, CodingKey {
        case created, author, architecture, os, variant, config, rootfs, history
        case osVersion = "os.version"
        case osFeatures = "os.features"
    }

    public init(
        architecture: String, os: String, variant: String? = nil, config: ExecutionConfig?,
        rootfs: RootFS, history: [History]? = nil
    ) {
        self.architecture = architecture
        self.os = os
        self.variant = variant
        self.config = config
        self.rootfs = rootfs
        self.history = history
    }

    public var platform: Platform { Platform(architecture: architecture, os: os, variant: variant) }

    /// The execution parameters a container from this image starts with.
    public struct ExecutionConfig: Codable, Hashable, Sendable {
        public var user: String?
        public var exposedPorts: [String: EmptyObject]?
        public var env: [String]?
        public var entrypoint: [String]?
        public var cmd: [String]?
        public var volumes: [String: EmptyObject]?
        public var workingDir: String?
        public var labels: [String: String]?
        public var stopSignal: String?
        /// Docker's health check (not in the OCI image spec; images built by docker and buildah carry it).
        public var healthcheck: HealthConfig?

        enum CodingKeys: String, CodingKey {
            case user = "User"
            case exposedPorts = "ExposedPorts"
            case env = "Env"
            case entrypoint = "Entrypoint"
            case cmd = "Cmd"
            case volumes = "Volumes"
            case workingDir = "WorkingDir"
            case labels = "Labels"
            case stopSignal = "StopSignal"
            case healthcheck = "Healthcheck"
        }

        public init(
            user: String? = nil, env: [String]? = nil, entrypoint: [String]? = nil, cmd: [String]? = nil,
            workingDir: String? = nil, labels: [String: String]? = nil, stopSignal: String? = nil
        ) {
            self.user = user
            self.env = env
            self.entrypoint = entrypoint
            self.cmd = cmd
            self.workingDir = workingDir
            self.labels = labels
            self.stopSignal = stopSignal
        }
    }

    /// A `Healthcheck` as docker writes it: the test (`["CMD", …]`, `["CMD-SHELL", "…"]`, `["NONE"]`) and
    /// durations in nanoseconds (0 or absent: the default).
    public struct HealthConfig: Codable, Hashable, Sendable {
        public var test: [String]?
        public var interval: Int64?
        public var timeout: Int64?
        public var startPeriod: Int64?
        public var startInterval: Int64?
        public var retries: Int?

        enum CodingKeys: String, CodingKey {
            case test = "Test"
            case interval = "Interval"
            case timeout = "Timeout"
            case startPeriod = "StartPeriod"
            case startInterval = "StartInterval"
            case retries = "Retries"
        }

        public init(
            test: [String]?, interval: Int64? = nil, timeout: Int64? = nil, startPeriod: Int64? = nil, startInterval: Int64? = nil,
            retries: Int? = nil
        ) {
            self.test = test
            self.interval = interval
            self.timeout = timeout
            self.startPeriod = startPeriod
            self.startInterval = startInterval
            self.retries = retries
        }
    }

    public struct RootFS: Codable, Hashable, Sendable {
        public var type: String
        public var diffIDs: [Digest]

        enum CodingKeys: String, CodingKey {
            case type
            case diffIDs = "diff_ids"
        }

        public init(type: String = "layers", diffIDs: [Digest]) {
            self.type = type
            self.diffIDs = diffIDs
        }
    }

    public struct History: Codable, Hashable, Sendable {
        public var created: String?
        public var createdBy: String?
        public var author: String?
        public var comment: String?
        public var emptyLayer: Bool?

        enum CodingKeys: String, CodingKey {
            case created, author, comment
            case createdBy = "created_by"
            case emptyLayer = "empty_layer"
        }

        public init(createdBy: String? = nil, comment: String? = nil, emptyLayer: Bool? = nil) {
            self.createdBy = createdBy
            self.comment = comment
            self.emptyLayer = emptyLayer
        }
    }
}

/// `{}` in JSON (used by ExposedPorts and Volumes).
public struct EmptyObject: Codable, Hashable, Sendable {
    public init() {}
}
