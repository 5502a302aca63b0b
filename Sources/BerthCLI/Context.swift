import Foundation
import Executor
import ImageStore
import Manifest
import Planner
import State

/// The stores of one state root, opened for a command.
struct Context: Sendable {
    let root: StateRoot
    let images: ImageStore
    let snapshots: SnapshotStores
    let state: StateStore

    /// Opens the stores of the state root, creating what is missing. `readOnly` (for commands that only
    /// look: `ps`, `image ls`) writes nothing when the root exists, so they work on a read-only root.
    init(_ options: GlobalOptions, readOnly: Bool = false) throws {
        try self.init(root: options.root, readOnly: readOnly)
    }

    init(root: StateRoot, readOnly: Bool = false) throws {
        guard geteuid() == 0 else {
            throw CLIError(message: "berth must run as root (rootless mode is not supported yet)", category: .runtime)
        }
        self.root = root
        if !(readOnly && root.exists) { try root.create() }
        images = try ImageStore(root: root.store)
        snapshots = SnapshotStores(root: root.snapshots)
        state = try StateStore(path: root.database, readOnly: readOnly)
    }

    /// The library's sequences (plan, apply, spec) over these stores, with registries reached as `registry`
    /// says (nil: registries off).
    func engine(registry: RegistryFlags?) -> Engine {
        Engine(root: root, images: images, snapshots: snapshots, state: state, registry: registry?.client(root: root))
    }

    /// The project a command acts on: `-p`, else the manifest's name; without either, an error listing the
    /// projects this state root knows.
    func project(_ manifestOptions: ManifestOptions) throws -> String {
        try Self.project(named: manifestOptions.projectName, file: manifestOptions.file, state: state)
    }

    static func project(_ manifestOptions: ManifestOptions) throws -> String {
        try project(named: manifestOptions.projectName, file: manifestOptions.file, state: nil)
    }

    /// `name` (already checked by `validateProjectOption`); else the `name` of the manifest `file`; else, when
    /// `file` is the default `berth.yaml` and `directory` (the current one) has none, a usage error naming what to
    /// pass and the projects recorded in `state`.
    static func project(
        named name: String?, file: String, state: StateStore?, directory: String = FileManager.default.currentDirectoryPath
    ) throws -> String {
        if let name { return name }
        if file == ManifestLoader.defaultFile(in: directory), !FileManager.default.fileExists(atPath: directory + "/" + file) {
            var message =
                "no \(file) in \(directory): name the project with -p PROJECT or the manifest with --file FILE"
            // Without a readable state (down of a damaged database) there is nothing to list.
            if let known = try? state?.allContainers() {
                let projects = Set(known.map(\.project)).sorted()
                message +=
                    projects.isEmpty ? " (no project has containers under this state root)" : " (known projects: \(projects.joined(separator: ", ")))"
            }
            throw CLIError(message: message)
        }
        return try ManifestLoader.load(path: file).name
    }

    /// Whether `error` says the state database cannot be opened or read (deleted mid-way, corrupt).
    static func isUnreadableState(_ error: any Error) -> Bool {
        guard let error = error as? StateError else { return false }
        return error.code == "state-open-failed" || error.code == "state-read-failed"
    }
}
