import Foundation

/// The layout of Berth's state root (`/var/lib/berth`, `--state-root`, or `BERTH_ROOT`).
public struct StateRoot: Hashable, Sendable {
    public static let defaultPath = "/var/lib/berth"
    public static let environmentVariable = "BERTH_ROOT"

    public let path: String

    public init(path: String) {
        self.path = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }

    /// `--state-root` if given, else `$BERTH_ROOT`, else `/var/lib/berth`; made absolute.
    public static func resolve(option: String?, environment: [String: String] = ProcessInfo.processInfo.environment)
        -> StateRoot
    {
        let raw = option ?? environment[environmentVariable].flatMap { $0.isEmpty ? nil : $0 } ?? defaultPath
        let absolute = raw.hasPrefix("/") ? raw : FileManager.default.currentDirectoryPath + "/" + raw
        return StateRoot(path: URL(fileURLWithPath: absolute).standardizedFileURL.path)
    }

    /// The OCI image layout.
    public var store: String { path + "/store" }
    /// Layer snapshots, one directory per snapshotter inside.
    public var snapshots: String { path + "/snapshots" }
    public var database: String { path + "/state.db" }
    public var locks: String { path + "/locks" }
    /// The OCI runtime's own state (`runc --root`).
    public var runtimeRoot: String { path + "/runtime" }

    /// A container's directory: its bundle, its log and its monitor's files.
    public func containerDirectory(project: String, name: String) -> String {
        path + "/containers/" + project + "/" + name
    }

    public func bundle(project: String, name: String) -> String {
        containerDirectory(project: project, name: name) + "/bundle"
    }

    public func logFile(project: String, name: String) -> String {
        containerDirectory(project: project, name: name) + "/container.log"
    }

    /// Creates the top-level directories if missing.
    public func create() throws {
        for directory in [path, store, snapshots, locks, runtimeRoot, path + "/containers"] {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
    }
}
