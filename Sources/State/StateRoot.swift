import BerthSystem
import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The layout of Berth's state root (`/var/lib/berth`, `--state-root`, or `BERTH_ROOT`). Every path it
/// hands out for a project or container is built from names `BerthSystem.Names` accepted and checked by
/// `PathGuard` to lie inside the root; `guarded` is the check for every other create and delete.
public struct StateRoot: Hashable, Sendable {
    public static let defaultPath = "/var/lib/berth"
    public static let environmentVariable = "BERTH_ROOT"

    public let path: String

    public init(path: String) {
        self.path = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }

    /// `--state-root` if given, else `$BERTH_ROOT`, else `/var/lib/berth`; made absolute.
    /// `environment` stands for the process's (read with getenv when nil). The path is cleaned lexically
    /// (`PathGuard.clean`), as URL's standardization did, without URL's first-use cost on every command's path.
    public static func resolve(option: String?, environment: [String: String]? = nil) -> StateRoot {
        let variable = environment.map { $0[environmentVariable] } ?? EnvironmentVariable.value(environmentVariable)
        let raw = option ?? variable.flatMap { $0.isEmpty ? nil : $0 } ?? defaultPath
        return StateRoot(path: PathGuard.absolute(raw))
    }

    /// A short, stable identity of this root (12 hex digits of the SHA-256 of its real path), part of every
    /// host-global name Berth makes (cgroups), so that two state roots never share one.
    public var identity: String {
        let real = PathGuard.realPath(path) ?? path
        return String(SHA256.hash(data: Data(real.utf8)).hex.prefix(12))
    }

    /// The OCI image layout.
    public var store: String { path + "/store" }
    /// Layer snapshots, one directory per snapshotter inside.
    public var snapshots: String { path + "/snapshots" }
    public var database: String { path + "/state.db" }
    public var locks: String { path + "/locks" }
    /// The OCI runtime's own state (`runc --root`).
    public var runtimeRoot: String { path + "/runtime" }
    /// Where containers' directories live, one directory per project.
    public var containers: String { path + "/containers" }

    /// A project's directory of containers; throws for a name outside the rules.
    public func projectDirectory(project: String) throws -> String {
        try Names.validate(project, .project, source: "project")
        return try guarded(containers + "/" + project, "use")
    }

    /// A container's directory: its bundle, its log and its monitor's files.
    public func containerDirectory(project: String, name: String) throws -> String {
        try Names.validate(project, .project, source: "project")
        try Names.validate(name, .container, source: "container of project \(project)")
        return try guarded(containers + "/" + project + "/" + name, "use")
    }

    /// Named volumes, one directory each (`<name>/_data` holds the data).
    public var volumes: String { path + "/volumes" }

    /// The directory of the volume `name` (a full name, `<project>_<volume>`), validated first.
    public func volumeDirectory(_ name: String) throws -> String {
        try Names.validate(name, .volume, source: "volume")
        return try guarded(volumes + "/" + name, "use")
    }

    /// Where a project's image builds keep their records (`builds/<project>`), validated first; with
    /// `container`, the stem of that container's files in it.
    public func buildDirectory(project: String, container: String? = nil) throws -> String {
        try Names.validate(project, .project, source: "project")
        guard let container else { return try guarded(path + "/builds/" + project, "use") }
        try Names.validate(container, .container, source: "container of project \(project)")
        return try guarded(path + "/builds/" + project + "/" + container, "use")
    }

    /// Where a container's secret and config files are written (`secrets/` in its directory).
    public func secretsDirectory(project: String, name: String) throws -> String {
        try guarded(try containerDirectory(project: project, name: name) + "/secrets", "use")
    }

    public func bundle(project: String, name: String) throws -> String {
        try containerDirectory(project: project, name: name) + "/bundle"
    }

    public func logFile(project: String, name: String) throws -> String {
        try containerDirectory(project: project, name: name) + "/container.log"
    }

    /// The lock file that serializes the commands acting on one project.
    public func lockFile(project: String) throws -> String {
        try Names.validate(project, .project, source: "project")
        return try guarded(locks + "/" + project + ".lock", "lock")
    }

    /// `path` when it lies inside the root (lexically and through any symlinks on the way); the check
    /// before every create and delete under the root.
    @discardableResult
    public func guarded(_ path: String, _ operation: String) throws -> String {
        try PathGuard.check(path, inside: self.path, operation: operation)
    }

    /// Creates the root (mode 0700: it holds environment values and credentials) and its top-level
    /// directories if missing.
    public func create() throws {
        try makeDirectory(path)
        for directory in [store, snapshots, locks, runtimeRoot, containers] {
            try makeDirectory(try guarded(directory, "create"))
        }
    }

    /// Whether the root exists (commands that only read do not create it).
    public var exists: Bool {
        var st = stat()
        return stat(path, &st) == 0 && st.st_mode & S_IFMT == S_IFDIR
    }

    private func makeDirectory(_ directory: String) throws {
        var st = stat()
        if stat(directory, &st) == 0, st.st_mode & S_IFMT == S_IFDIR { return }
        do {
            try DirectoryMaker.create(directory, mode: 0o700)
        } catch {
            throw StateError(
                "state-root-create-failed",
                "cannot create directory \(directory): \(SystemErrorText.of(error))")
        }
    }
}
