import CArchive
import Foundation

extension ExtractState {
    /// Applies `.wh.<name>` (or the opaque marker when name is `.wh..opq`) found in directory `parent`.
    mutating func whiteout(name: String, in parent: String, entry: OpaquePointer, stored: String) throws(TarError) {
        let dirRelative = parent
        let dir = parent.isEmpty ? root : root + "/" + dirRelative
        if name.hasPrefix(".wh.") {
            guard name == ".wh..opq" else { return }  // other `.wh..wh.` names are reserved and ignored
            switch mode {
            case .overlay:
                try makeDirectories(parent, entry: stored)
                guard lsetxattr(dir, "trusted.overlay.opaque", "y", 1, 0) == 0 else {
                    throw TarError.posix("archive-extract", "\(label): opaque marker on \"\(dirRelative)\"", errno: errno)
                }
            case .apply:
                try removeLowerChildren(of: dir, relative: dirRelative)
            }
            return
        }
        guard !name.isEmpty, name != ".", name != "..", !name.contains("/") else {
            throw TarError("archive-invalid-whiteout", "\(label): invalid whiteout name \"\(stored)\"")
        }
        let target = dir + "/" + name
        switch mode {
        case .overlay:
            try makeDirectories(parent, entry: stored)
            try replaceConflict(at: target, newIsDirectory: false)
            guard mknod(target, S_IFCHR, 0) == 0 else {
                throw TarError.posix("archive-extract", "\(label): whiteout \"\(stored)\"", errno: errno)
            }
            let uid = uid_t(truncatingIfNeeded: archive_entry_uid(entry))
            let gid = gid_t(truncatingIfNeeded: archive_entry_gid(entry))
            guard lchown(target, uid, gid) == 0 else {
                throw TarError.posix("archive-extract", "\(label): chown whiteout \"\(stored)\"", errno: errno)
            }
        case .apply:
            var st = stat()
            guard lstat(target, &st) == 0 else { return }
            if st.st_mode & S_IFMT == S_IFDIR {
                try prepareRemoval(of: dirRelative.isEmpty ? name : dirRelative + "/" + name)
            }
            do { try FileManager.default.removeItem(atPath: target) } catch {
                throw TarError("archive-extract", "\(label): whiteout \"\(stored)\" cannot remove it", underlying: error)
            }
        }
    }

    /// Opaque directory on a full copy: drop every child not created earlier in this layer.
    mutating func removeLowerChildren(of dir: String, relative: String) throws(TarError) {
        guard let children = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return }
        for child in children {
            let childRelative = relative.isEmpty ? child : relative + "/" + child
            if created.contains(childRelative) { continue }
            try prepareRemoval(of: childRelative)
            do { try FileManager.default.removeItem(atPath: dir + "/" + child) } catch {
                throw TarError(
                    "archive-extract", "\(label): opaque \"\(relative)\" cannot remove \(child)",
                    underlying: error)
            }
        }
    }

    /// Creates missing directories (0755) along `parent` under the root, refusing symlinks on the way.
    mutating func makeDirectories(_ parent: String, entry: String) throws(TarError) {
        guard !parent.isEmpty, parent != lastParent else { return }
        try checkNoSymlinks(parent, entry: entry)
        var end = parent.utf8.startIndex
        while end != parent.utf8.endIndex {
            end = parent.utf8[parent.utf8.index(after: end)...].firstIndex(of: UInt8(ascii: "/")) ?? parent.utf8.endIndex
            let prefix = String(parent[..<end])
            if checkedDirs.contains(prefix) { continue }
            // checkNoSymlinks stopped at the first missing component, so this one is missing or not a directory.
            let path = root + "/" + prefix
            guard mkdir(path, 0o755) == 0 else {
                if errno == EEXIST { throw unsafe(entry, "\"\(prefix)\" is not a directory") }
                throw TarError.posix("archive-extract", "\(label): cannot create \(path)", errno: errno)
            }
            // mkdir applies the umask; the layer convention for implied directories is 0755.
            chmod(path, 0o755)
            implicitDirectories.insert(prefix)
            if mode == .apply { created.insert(prefix) }
            checkedDirs.insert(prefix)
        }
        lastParent = parent
    }
}
