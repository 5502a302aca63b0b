import BerthSystem
import Foundation
import Manifest
import OCI
#if canImport(Glibc)
import Glibc
#endif

/// Writes a container's secrets and configs where its spec binds them from: one file each under the
/// container's directory (mode 0700, root's), with the mode and owner the manifest asks for (default: the
/// container's process user). Values are read here, at apply, and written nowhere else.
enum SecretFiles {
    static func write(_ mounts: [SecretMount], for spec: RuntimeSpec, into directory: String) throws {
        guard !mounts.isEmpty else { return }
        try DirectoryMaker.create(directory, mode: 0o700)
        let user = spec.process?.user
        for mount in mounts {
            // The manifest validator checked the name; a definition read back from a saved plan or the state
            // is checked again before it becomes a file name.
            try Names.validate(mount.name, .secret, source: "\(mount.kind.rawValue) name")
            let path = directory + "/" + mount.fileName
            let value: Data
            do {
                value = try mount.source.value()
            } catch {
                throw ExecutorError("secret-unreadable", "\(mount.kind.rawValue) \(mount.name): \(error)")
            }
            try AtomicFile.write(value, to: path, mode: mode_t(mount.mode), durability: .crashSafe)
            let uid = mount.uid ?? user?.uid ?? 0
            let gid = mount.gid ?? user?.gid ?? 0
            guard chown(path, uid, gid) == 0, chmod(path, mode_t(mount.mode)) == 0 else {
                throw ExecutorError(
                    "secret-write-failed",
                    "cannot set the owner and mode of \(mount.kind.rawValue) \(mount.name): \(String(cString: strerror(errno)))")
            }
        }
    }
}
