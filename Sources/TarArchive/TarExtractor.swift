import CArchive
import Foundation

/// How whiteout entries (`.wh.X`, `.wh..wh..opq`) are applied during extraction.
public enum WhiteoutMode: String, Sendable, Hashable {
    /// Into an overlayfs upper directory: `.wh.X` becomes a 0/0 character device, opaque an xattr.
    case overlay
    /// Onto a full copy of the lower layers: `.wh.X` removes X, opaque removes lower children.
    case apply
}

/// What an extraction saw: the uncompressed stream's digest, and the directories it had to create
/// because the layer held entries below them but no entry for them (sorted).
public struct ExtractSummary: Hashable, Sendable {
    public var stream: StreamDigest
    public var implicitDirectories: [String]
    /// Overlay mode only: hard links whose target is not in this layer (it is in a lower one), as
    /// (link, target) relative paths; the caller copies the target up from the lower layers.
    public var lowerHardlinks: [LowerHardlink]
}

/// A hard link in an overlay layer whose target lives in a lower layer.
public struct LowerHardlink: Hashable, Sendable {
    public var link: String
    public var target: String
}

/// Extracts a tar stream into a directory without ever writing outside it: `..` escapes, absolute
/// names and paths through symlinks are refused, hard-link targets must stay inside.
public enum TarExtractor {
    static let diskFlags: Int32 = ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME
        | ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT

    /// Extracts every entry of `reader` under `root`; returns the uncompressed stream's digest and size.
    @discardableResult
    public static func extract(_ reader: TarReader, into root: String,
                               whiteouts: WhiteoutMode) throws(TarError) -> ExtractSummary {
        guard let real = realpath(root, nil) else {
            throw TarError.posix("archive-extract", "cannot resolve \(root)", errno: errno)
        }
        let base = String(cString: real)
        free(real)
        guard let disk = archive_write_disk_new() else { throw TarError(code: "archive-extract", "cannot create disk writer") }
        defer { archive_write_free(disk) }
        archive_write_disk_set_options(disk, diskFlags)
        var state = ExtractState(root: base, label: reader.label, mode: whiteouts)
        while let entry = try reader.nextRaw() {
            try state.apply(entry, reader: reader, disk: disk)
        }
        guard archive_write_close(disk) == ARCHIVE_OK else {
            throw TarError.libarchive("archive-extract", "\(reader.label): finishing extraction", disk)
        }
        return ExtractSummary(stream: try reader.finish(), implicitDirectories: state.implicitDirectories.sorted(),
                              lowerHardlinks: state.lowerHardlinks)
    }
}

/// Per-extraction bookkeeping: paths created in this layer (for opaque whiteouts) and directories
/// already checked to be real directories.
struct ExtractState {
    let root: String
    let label: String
    let mode: WhiteoutMode
    var created: Set<String> = []
    var checkedDirs: Set<String> = []
    var implicitDirectories: Set<String> = []
    var lowerHardlinks: [LowerHardlink] = []

    init(root: String, label: String, mode: WhiteoutMode) {
        self.root = root
        self.label = label
        self.mode = mode
    }

    mutating func apply(_ entry: OpaquePointer, reader: TarReader, disk: OpaquePointer) throws(TarError) {
        let stored = archive_entry_pathname(entry).map { String(cString: $0) } ?? ""
        guard let parts = try clean(stored), let last = parts.last else { return }
        let parent = Array(parts.dropLast())
        try makeDirectories(parent, entry: stored)
        if last.hasPrefix(".wh.") {
            try whiteout(name: String(last.dropFirst(4)), in: parent, entry: entry, stored: stored)
            return
        }
        let relative = parts.joined(separator: "/")
        let full = root + "/" + relative
        let isDir = archive_entry_filetype(entry) == EntryType.directory
        implicitDirectories.remove(relative)
        try replaceConflict(at: full, newIsDirectory: isDir && archive_entry_hardlink(entry) == nil)
        if let link = archive_entry_hardlink(entry) {
            let target = String(cString: link)
            guard let targetParts = try clean(target), !targetParts.isEmpty else {
                throw unsafe(stored, "hard link to \"\(target)\" points outside the layer")
            }
            try checkNoSymlinks(Array(targetParts.dropLast()), entry: stored)
            let targetRelative = targetParts.joined(separator: "/")
            var st = stat()
            if mode == .overlay && lstat(root + "/" + targetRelative, &st) != 0 && errno == ENOENT {
                lowerHardlinks.append(LowerHardlink(link: relative, target: targetRelative))
                created.insert(relative)
                return
            }
            archive_entry_set_hardlink(entry, root + "/" + targetRelative)
        }
        Self.dropOverlayAttributes(entry)
        archive_entry_set_pathname(entry, full)
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
        created.insert(relative)
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

    /// Lexically cleaned components; nil for the root itself. Absolute names and `..` escapes are refused.
    func clean(_ name: String) throws(TarError) -> [String]? {
        if name.hasPrefix("/") { throw unsafe(name, "absolute path") }
        var parts: [String] = []
        for component in name.split(separator: "/", omittingEmptySubsequences: true) {
            switch component {
            case ".": continue
            case "..":
                guard !parts.isEmpty else { throw unsafe(name, "path escapes the layer through \"..\"") }
                parts.removeLast()
            default: parts.append(String(component))
            }
        }
        return parts.isEmpty ? nil : parts
    }

    /// Refuses a path whose existing directories include a symlink (it could lead outside the root).
    mutating func checkNoSymlinks(_ parts: [String], entry: String) throws(TarError) {
        var path = root
        for part in parts {
            path += "/" + part
            if checkedDirs.contains(path) { continue }
            var st = stat()
            if lstat(path, &st) != 0 {
                if errno == ENOENT { return }
                throw TarError.posix("archive-extract", "\(label): cannot stat \(path)", errno: errno)
            }
            if st.st_mode & S_IFMT == S_IFLNK {
                throw unsafe(entry, "path goes through the symlink \"\(path.dropFirst(root.count + 1))\"")
            }
            checkedDirs.insert(path)
        }
    }

    /// Removes what is in the way unless both the existing path and the new entry are directories.
    mutating func replaceConflict(at full: String, newIsDirectory: Bool) throws(TarError) {
        var st = stat()
        guard lstat(full, &st) == 0 else { return }
        let existingIsDirectory = st.st_mode & S_IFMT == S_IFDIR
        if existingIsDirectory && newIsDirectory { return }
        if existingIsDirectory {
            checkedDirs.removeAll()  // a cached directory may be about to become a symlink
            do { try FileManager.default.removeItem(atPath: full) } catch {
                throw TarError(code: "archive-extract", "\(label): cannot replace \(full)", underlying: error)
            }
        } else if unlink(full) != 0 {
            throw TarError.posix("archive-extract", "\(label): cannot replace \(full)", errno: errno)
        }
    }

    func unsafe(_ entry: String, _ why: String) -> TarError {
        TarError(code: "archive-unsafe-path", "\(label): refusing entry \"\(entry)\": \(why)")
    }
}
