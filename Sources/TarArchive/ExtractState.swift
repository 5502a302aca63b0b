import CArchive
import Foundation

/// Per-extraction bookkeeping: paths created in this layer (for opaque whiteouts) and directories
/// already checked to be real directories, so consecutive entries of one directory cost no extra syscalls.
struct ExtractState {
    let root: String
    let label: String
    let mode: WhiteoutMode
    let disk: DiskWriter
    /// Relative paths written by this layer; kept in apply mode only, where opaque markers need them.
    var created: Set<String> = []
    /// Relative directories known to be real directories (no symlink on the way) in this extraction.
    var checkedDirs: Set<String> = []
    /// The parent directory of the previous entry, already checked and created.
    var lastParent: String?
    /// Directory entries written since the last flush of the disk writer, and all their ancestors.
    var pendingDirectoryTree: Set<String> = []
    var implicitDirectories: Set<String> = []
    var lowerHardlinks: [LowerHardlink] = []

    init(root: String, label: String, mode: WhiteoutMode, disk: DiskWriter) {
        self.root = root
        self.label = label
        self.mode = mode
        self.disk = disk
    }

    mutating func apply(_ entry: OpaquePointer, reader: TarReader) throws(TarError) {
        let stored = archive_entry_pathname(entry).map { String(cString: $0) } ?? ""
        guard let relative = try clean(stored) else { return }
        let (parent, last) = Self.split(relative)
        try makeDirectories(parent, entry: stored)
        if last.hasPrefix(".wh.") {
            try whiteout(name: String(last.dropFirst(4)), in: parent, entry: entry, stored: stored)
            return
        }
        let full = root + "/" + relative
        let makesDirectory = archive_entry_filetype(entry) == EntryType.directory && archive_entry_hardlink(entry) == nil
        if !implicitDirectories.isEmpty { implicitDirectories.remove(relative) }
        try replaceConflict(at: full, newIsDirectory: makesDirectory)
        if let link = archive_entry_hardlink(entry) {
            let target = String(cString: link)
            guard let targetRelative = try clean(target) else {
                throw unsafe(stored, "hard link to \"\(target)\" points outside the layer")
            }
            try checkNoSymlinks(Self.split(targetRelative).parent, entry: stored)
            var st = stat()
            if mode == .overlay && lstat(root + "/" + targetRelative, &st) != 0 && errno == ENOENT {
                lowerHardlinks.append(LowerHardlink(link: relative, target: targetRelative))
                return
            }
            archive_entry_set_hardlink(entry, root + "/" + targetRelative)
        }
        ExtractState.dropOverlayAttributes(entry)
        archive_entry_set_pathname(entry, full)
        let disk = self.disk.pointer  // read late: replacing a directory may have renewed the writer
        let status = archive_write_header(disk, entry)
        guard status >= ARCHIVE_WARN else {
            throw TarError.libarchive("archive-extract", "\(label): cannot extract \"\(stored)\"", disk)
        }
        if archive_entry_size(entry) > 0 && archive_entry_hardlink(entry) == nil {
            try reader.forEachBlock { (block) throws(TarError) in
                let written = archive_write_data(disk, block.baseAddress, block.count)
                guard written >= 0 else {
                    throw TarError.libarchive("archive-extract", "\(label): writing \"\(stored)\"", disk)
                }
            }
        }
        guard archive_write_finish_entry(disk) >= ARCHIVE_WARN else {
            throw TarError.libarchive("archive-extract", "\(label): finishing \"\(stored)\"", disk)
        }
        if makesDirectory {
            checkedDirs.insert(relative)
            notePendingDirectory(relative)
        }
        if mode == .apply { created.insert(relative) }
    }

    /// A cleaned relative path split at its last slash: ("a/b", "c") for "a/b/c", ("", "c") for "c".
    static func split(_ relative: String) -> (parent: String, last: Substring) {
        guard let slash = relative.utf8.lastIndex(of: UInt8(ascii: "/")) else { return ("", relative[...]) }
        return (String(relative[..<slash]), relative[relative.index(after: slash)...])
    }

    /// Lexically cleaned relative path ("a/b/c"); nil for the root itself. Absolute names are taken
    /// relative to the root; `..` escapes are refused. Names that are clean already (the usual case) are returned as they are.
    /// Works on bytes, as the kernel does: as Characters, a `/` followed by a combining mark is no separator, so
    /// `../\u{301}x` would be one harmless-looking component that the kernel reads as `..` then `\u{301}x`.
    func clean(_ name: String) throws(TarError) -> String? {
        // Absolute names are read relative to the layer root, as GNU tar and containerd do ("/" is the root).
        let slash = UInt8(ascii: "/")
        let relative = name.utf8.drop { $0 == slash }
        if let simple = Self.alreadyClean(relative.startIndex == name.utf8.startIndex ? name : String(Substring(relative))) {
            return simple
        }
        var parts: [Substring] = []
        for component in relative.split(separator: slash, omittingEmptySubsequences: true) {
            if component.elementsEqual(".".utf8) { continue }
            if component.elementsEqual("..".utf8) {
                guard !parts.isEmpty else { throw unsafe(name, "path escapes the layer through \"..\"") }
                parts.removeLast()
            } else {
                parts.append(Substring(component))
            }
        }
        return parts.isEmpty ? nil : parts.joined(separator: "/")
    }

    /// `name` without leading `./` and one trailing `/` when no component is empty, `.` or `..`; else nil.
    static func alreadyClean(_ name: String) -> String? {
        var bytes = name.utf8[...]
        while bytes.starts(with: "./".utf8) { bytes = bytes.dropFirst(2) }
        if bytes.last == UInt8(ascii: "/") { bytes = bytes.dropLast() }
        guard !bytes.isEmpty else { return nil }
        var length = 0
        var dots = 0
        for byte in bytes {
            if byte == UInt8(ascii: "/") {
                if length == 0 || (dots == length && length <= 2) { return nil }
                length = 0
                dots = 0
            } else {
                length += 1
                if byte == UInt8(ascii: ".") { dots += 1 }
            }
        }
        if dots == length && length <= 2 { return nil }
        return bytes.count == name.utf8.count ? name : String(Substring(bytes))
    }

    /// Refuses a path whose existing directories include a symlink (it could lead outside the root).
    mutating func checkNoSymlinks(_ parent: String, entry: String) throws(TarError) {
        guard !parent.isEmpty, parent != lastParent else { return }
        var end = parent.utf8.startIndex
        while end != parent.utf8.endIndex {
            end = parent.utf8[parent.utf8.index(after: end)...].firstIndex(of: UInt8(ascii: "/")) ?? parent.utf8.endIndex
            let prefix = String(parent[..<end])
            if checkedDirs.contains(prefix) { continue }
            var st = stat()
            if lstat(root + "/" + prefix, &st) != 0 {
                if errno == ENOENT { return }
                throw TarError.posix("archive-extract", "\(label): cannot stat \(root)/\(prefix)", errno: errno)
            }
            if st.st_mode & S_IFMT == S_IFLNK {
                throw unsafe(entry, "path goes through the symlink \"\(prefix)\"")
            }
            if st.st_mode & S_IFMT == S_IFDIR { checkedDirs.insert(prefix) }
        }
    }

    /// Before the directory `relative` is removed: drops the cached checks (it may be about to become a
    /// symlink), and if libarchive still has to set attributes at or below it, lets it do so now, while
    /// the path is a real directory (rare: only layers that replace their own directories).
    mutating func prepareRemoval(of relative: String) throws(TarError) {
        if pendingDirectoryTree.contains(relative) {
            try disk.flush()
            pendingDirectoryTree.removeAll()
        }
        checkedDirs.removeAll()
        lastParent = nil
    }

    /// Records a directory entry whose mode and times libarchive sets at the end, with its ancestors.
    mutating func notePendingDirectory(_ relative: String) {
        var path = Substring(relative)
        while !path.isEmpty, pendingDirectoryTree.insert(String(path)).inserted {
            guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { break }
            path = path[..<slash]
        }
    }

    /// Removes what is in the way unless both the existing path and the new entry are directories.
    mutating func replaceConflict(at full: String, newIsDirectory: Bool) throws(TarError) {
        let relative = String(full.dropFirst(root.count + 1))
        var st = stat()
        guard lstat(full, &st) == 0 else { return }
        let existingIsDirectory = st.st_mode & S_IFMT == S_IFDIR
        if existingIsDirectory && newIsDirectory { return }
        if existingIsDirectory {
            try prepareRemoval(of: relative)
            do { try FileManager.default.removeItem(atPath: full) } catch {
                throw TarError("archive-extract", "\(label): cannot replace \(full)", underlying: error)
            }
        } else if unlink(full) != 0 {
            throw TarError.posix("archive-extract", "\(label): cannot replace \(full)", errno: errno)
        }
    }

    /// Removes `trusted.overlay.*` xattrs a layer carries: only whiteout handling may set overlay metadata.
    static func dropOverlayAttributes(_ entry: OpaquePointer) {
        guard archive_entry_xattr_reset(entry) > 0 else { return }
        var kept: [(String, [UInt8])] = []
        var dropped = false
        var name: UnsafePointer<CChar>?
        var value: UnsafeRawPointer?
        var size = 0
        while archive_entry_xattr_next(entry, &name, &value, &size) == ARCHIVE_OK {
            guard let name else { continue }
            let key = String(cString: name)
            if key.hasPrefix("trusted.overlay.") {
                dropped = true
            } else {
                kept.append((key, value.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) } ?? []))
            }
        }
        guard dropped else { return }
        archive_entry_xattr_clear(entry)
        for (key, bytes) in kept { archive_entry_xattr_add_entry(entry, key, bytes, bytes.count) }
    }

    func unsafe(_ entry: String, _ why: String) -> TarError {
        TarError("archive-unsafe-path", "\(label): refusing entry \"\(entry)\": \(why)")
    }
}
