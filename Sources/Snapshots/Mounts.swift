import Foundation

/// mount(2)/umount2(2) with errors that name the target.
enum Mounts {
    static let bind = UInt(MS_BIND | MS_REC)

    static func mount(source: String, target: String, type: String, flags: UInt, options: String?) throws {
        let status: Int32
        if let options {
            status = options.withCString { Glibc.mount(source, target, type, flags, $0) }
        } else {
            status = Glibc.mount(source, target, type, flags, nil)
        }
        guard status == 0 else {
            throw SnapshotError.posix("cannot mount \(type) at \(target)" + (options.map { " (\($0))" } ?? ""), errno: errno)
        }
    }

    /// Unmounts `target`; not mounted or missing counts as done, busy falls back to a lazy unmount.
    static func unmount(_ target: String) throws {
        if umount2(target, 0) == 0 { return }
        switch errno {
        case EINVAL, ENOENT: return
        case EBUSY:
            guard umount2(target, Int32(MNT_DETACH)) == 0 else {
                throw SnapshotError.posix("cannot unmount \(target)", errno: errno)
            }
        default:
            throw SnapshotError.posix("cannot unmount \(target)", errno: errno)
        }
    }
}
