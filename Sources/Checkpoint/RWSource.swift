import Foundation

/// Where a container's writable layer lives, and so how its changes are found.
public enum RWSource: Hashable, Sendable {
    /// An overlayfs upper directory: 0/0 character devices are whiteouts (`.wh.NAME`), directories with
    /// `trusted.overlay.opaque=y` are opaque (`.wh..wh..opq`).
    case overlayUpper(String)
    /// A full copy of the rootfs (the native snapshotter) compared with the base image's top layer
    /// directory (`nil`: an image without layers); paths missing from the copy become whiteouts.
    case fullCopy(String, base: String?)
}

/// One entry of the rw diff before it is written: a path copied from `root`, a whiteout, or an opaque marker.
struct DiffItem: Hashable {
    enum Kind: Hashable {
        /// Copy the file at `root/relative` with its metadata.
        case path
        /// `.wh.<last component>`: the path was deleted; owner and time of the marker.
        case whiteout(uid: UInt32, gid: UInt32, mtime: Int)
        /// `<dir>/.wh..wh..opq`: hide all lower children of the directory `relative`.
        case opaque
    }

    var relative: String
    var kind: Kind

    /// The entry's name in the tar (no trailing slash), which fixes the order.
    var tarName: String {
        switch kind {
        case .path: return relative
        case .whiteout:
            let parent = (relative as NSString).deletingLastPathComponent
            let name = ".wh." + (relative as NSString).lastPathComponent
            return parent.isEmpty ? name : parent + "/" + name
        case .opaque: return relative + "/.wh..wh..opq"
        }
    }
}
