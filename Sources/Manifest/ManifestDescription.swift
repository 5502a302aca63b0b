import Diagnostics

/// berth.yaml as decoded, before validation: every value keeps its location. Only the validator reads it.
struct ManifestDescription {
    var root: SourceLocation
    var version: Located<Int64>?
    var name: Located<String>?
    /// Location of the `containers` value, when present.
    var containersLocation: SourceLocation?
    var containers: [ContainerDescription] = []
    /// Top-level keys present, even when their value failed to decode.
    var keys: Set<String> = []
    /// How many entries `containers` has, even when some failed to decode; nil when it is not a map.
    var containerEntries: Int?
}

/// One container entry as written.
struct ContainerDescription {
    var name: Located<String>
    var image: Located<String>?
    var args: Located<[Located<String>]>?
    var cwd: Located<String>?
    var env: Located<[EnvEntryDescription]>?
    var envFiles: Located<[Located<String>]>?
    var mounts: Located<[Located<MountDescription>]>?
    var withNamespaces: Located<[Located<NamespaceDescription>]>?
    var checkpoint: Located<String>?
    var readonly: Located<Bool>?
    var tty: Located<Bool>?
    var netHost: Located<Bool>?
    var labels: Located<[(key: Located<String>, value: Located<String>)]>?
    var user: Located<String>?
    var hostname: Located<String>?
    var privileged: Located<Bool>?
    var memoryLimit: Located<MemoryLimitDescription>?
    var cpus: Located<Double>?
    var pidsLimit: Located<Int64>?
    var runtime: Located<String>?
    var snapshotter: Located<String>?
    var pull: Located<String>?
    var restore: Located<String>?
    var rootfs: Located<String>?
    var noPivot: Located<Bool>?
    var config: Located<String>?
    var dependsOn: Located<[Located<String>]>?
    /// Where each key's value was written, keyed by manifest key.
    var fieldLocations: [String: SourceLocation] = [:]

    init(name: Located<String>) {
        self.name = name
    }
}

/// `env` entries: from a map (`K: V`) or a list (`"K=V"`).
enum EnvEntryDescription {
    case pair(key: Located<String>, value: Located<String>)
    case line(Located<String>)
}

/// `memory-limit`: plain bytes or text with a suffix.
enum MemoryLimitDescription {
    case bytes(Int64)
    case text(String)
}

/// A mount: ctr's one-line form or the long map form.
enum MountDescription {
    case line(String)
    case long(type: Located<String>?, source: Located<String>?, destination: Located<String>?, options: [Located<String>]?)
}

/// A `with-ns` entry: `type:path` or `{type, path | container}`.
enum NamespaceDescription {
    case line(String)
    case long(type: Located<String>?, path: Located<String>?, container: Located<String>?)
}
