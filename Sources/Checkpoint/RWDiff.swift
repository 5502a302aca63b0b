import CArchive
import Foundation

/// Finds the changes of a writable layer as a sorted list of diff entries.
enum RWDiff {
    static func items(_ source: RWSource) throws -> (root: String, items: [DiffItem]) {
        switch source {
        case .overlayUpper(let upper):
            try requireDirectory(upper)
            var items: [DiffItem] = []
            try walkUpper(upper, relative: "", into: &items)
            return (upper, sorted(items))
        case .fullCopy(let copy, let base):
            try requireDirectory(copy)
            if let base { try requireDirectory(base) }
            var items: Set<DiffItem> = []
            try walkCopy(copy, base: base, relative: "", into: &items)
            if let base { try walkDeleted(copy, base: base, relative: "", into: &items) }
            for item in items {
                var parent = (item.relative as NSString).deletingLastPathComponent
                while !parent.isEmpty {
                    items.insert(DiffItem(relative: parent, kind: .path))
                    parent = (parent as NSString).deletingLastPathComponent
                }
            }
            return (copy, sorted(Array(items)))
        }
    }

    /// Bytewise order of tar names: a parent always precedes its children.
    static func sorted(_ items: [DiffItem]) -> [DiffItem] {
        items.sorted { Array($0.tarName.utf8).lexicographicallyPrecedes(Array($1.tarName.utf8)) }
    }

    static func requireDirectory(_ path: String, what: String = "writable layer directory") throws {
        var st = stat()
        guard lstat(path, &st) == 0, st.st_mode & S_IFMT == S_IFDIR else {
            throw CheckpointError("rw-source-missing", "\(what) \(path) does not exist or is not a directory")
        }
    }

    static func children(_ path: String) throws -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw CheckpointError("checkpoint-io", "cannot list \(path)", underlying: error)
        }
    }

    static func lstatOrThrow(_ path: String) throws -> stat {
        var st = stat()
        guard lstat(path, &st) == 0 else { throw CheckpointError.posix("cannot stat \(path)", errno: errno) }
        return st
    }

    static func walkUpper(_ root: String, relative: String, into items: inout [DiffItem]) throws {
        let dir = relative.isEmpty ? root : root + "/" + relative
        for child in try children(dir) {
            let rel = relative.isEmpty ? child : relative + "/" + child
            let st = try lstatOrThrow(root + "/" + rel)
            let type = st.st_mode & S_IFMT
            if type == S_IFCHR && st.st_rdev == 0 {
                items.append(
                    DiffItem(
                        relative: rel,
                        kind: .whiteout(
                            uid: st.st_uid, gid: st.st_gid,
                            mtime: Int(st.st_mtim.tv_sec))))
                continue
            }
            items.append(DiffItem(relative: rel, kind: .path))
            if type == S_IFDIR {
                if isOpaque(root + "/" + rel) { items.append(DiffItem(relative: rel, kind: .opaque)) }
                try walkUpper(root, relative: rel, into: &items)
            }
        }
    }

    static func isOpaque(_ path: String) -> Bool {
        var value = [UInt8](repeating: 0, count: 8)
        let n = lgetxattr(path, "trusted.overlay.opaque", &value, value.count)
        return n == 1 && value[0] == UInt8(ascii: "y")
    }

    static func walkCopy(_ root: String, base: String?, relative: String, into items: inout Set<DiffItem>) throws {
        let dir = relative.isEmpty ? root : root + "/" + relative
        for child in try children(dir) {
            let rel = relative.isEmpty ? child : relative + "/" + child
            let st = try lstatOrThrow(root + "/" + rel)
            var old = stat()
            var inBase = false
            if let base { inBase = lstat(base + "/" + rel, &old) == 0 }
            if !inBase || !sameMetadata(st, old, root + "/" + rel, base.map { $0 + "/" + rel } ?? "") {
                items.insert(DiffItem(relative: rel, kind: .path))
            }
            if st.st_mode & S_IFMT == S_IFDIR {
                try walkCopy(root, base: inBase && old.st_mode & S_IFMT == S_IFDIR ? base : nil, relative: rel, into: &items)
            }
        }
    }

    static func walkDeleted(_ root: String, base: String, relative: String, into items: inout Set<DiffItem>) throws {
        let dir = relative.isEmpty ? base : base + "/" + relative
        for child in try children(dir) {
            let rel = relative.isEmpty ? child : relative + "/" + child
            var now = stat()
            if lstat(root + "/" + rel, &now) != 0 {
                items.insert(DiffItem(relative: rel, kind: .whiteout(uid: 0, gid: 0, mtime: 0)))
                continue
            }
            let old = try lstatOrThrow(base + "/" + rel)
            if old.st_mode & S_IFMT == S_IFDIR && now.st_mode & S_IFMT == S_IFDIR {
                try walkDeleted(root, base: base, relative: rel, into: &items)
            }
        }
    }

    /// Same type, mode, owner, size, mtime (ns), device and link text: treated as unchanged.
    static func sameMetadata(_ a: stat, _ b: stat, _ pathA: String, _ pathB: String) -> Bool {
        guard a.st_mode == b.st_mode, a.st_uid == b.st_uid, a.st_gid == b.st_gid, a.st_rdev == b.st_rdev else { return false }
        let type = a.st_mode & S_IFMT
        if type == S_IFDIR { return true }
        guard a.st_size == b.st_size, a.st_mtim.tv_sec == b.st_mtim.tv_sec, a.st_mtim.tv_nsec == b.st_mtim.tv_nsec else {
            return false
        }
        if type == S_IFLNK {
            return (try? FileManager.default.destinationOfSymbolicLink(atPath: pathA))
                == (try? FileManager.default.destinationOfSymbolicLink(atPath: pathB))
        }
        return true
    }
}
