import Diagnostics
import OCI

/// How `berth export kubernetes` shapes its objects.
public struct ExportOptions: Sendable {
    /// The kind of object that runs each Pod.
    public enum Workload: String, Sendable, CaseIterable {
        case pod
        case deployment
        case job
    }

    public var workload: Workload
    /// Digests of the images as written in the manifest; when set, every image is pinned to `name@digest`.
    public var pinnedDigests: [String: Digest]?
    /// Resolves user and group names; numeric `user` values never need it.
    public var userResolver: UserResolver?
    /// Fail (category `.manifest`) instead of warning when a field cannot be expressed.
    public var strict: Bool

    public init(
        workload: Workload = .deployment, pinnedDigests: [String: Digest]? = nil,
        userResolver: UserResolver? = nil, strict: Bool = false
    ) {
        self.workload = workload
        self.pinnedDigests = pinnedDigests
        self.userResolver = userResolver
        self.strict = strict
    }
}

/// A numeric user and, when known, group, for `runAsUser` and `runAsGroup`.
public struct NumericUser: Hashable, Sendable {
    public var uid: Int64
    public var gid: Int64?

    public init(uid: Int64, gid: Int64?) {
        self.uid = uid
        self.gid = gid
    }
}

/// `(image as written, user string) → ids`, reading the image's /etc/passwd and /etc/group.
/// Returns nil when the image's files are not available (not in the store or not unpacked).
public typealias UserResolver = @Sendable (_ image: String, _ user: String) throws -> NumericUser?

/// One Kubernetes object as YAML, with the file name it gets under `-o DIR`.
public struct ExportedDocument: Hashable, Sendable {
    public var fileName: String
    public var kind: String
    public var name: String
    public var yaml: String
}

/// The exported objects (Namespace first) and every warning about what Kubernetes cannot express.
public struct ExportResult: Hashable, Sendable {
    public var documents: [ExportedDocument]
    /// Sorted by manifest position.
    public var warnings: [Diagnostic]

    /// All documents as one multi-document YAML stream, for `-o -`.
    public var stream: String {
        documents.map { "---\n" + $0.yaml }.joined()
    }
}
