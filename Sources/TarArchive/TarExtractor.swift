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

/// Extracts a tar stream into a directory without ever writing outside it: absolute names are contained
/// (read relative to the directory), `..` escapes and paths through symlinks are refused, hard-link targets
/// must stay inside.
public enum TarExtractor {
    /// No ARCHIVE_EXTRACT_SECURE_SYMLINKS: ExtractState checks every parent directory itself, once per
    /// directory, where libarchive re-walks the whole absolute path (~50 syscalls) for every entry.
    static let diskFlags: Int32 =
        ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME
        | ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_SECURE_NODOTDOT

    /// Extracts every entry of `reader` under `root`; returns the uncompressed stream's digest and size.
    @discardableResult
    public static func extract(
        _ reader: TarReader, into root: String,
        whiteouts: WhiteoutMode
    ) throws(TarError) -> ExtractSummary {
        guard let real = realpath(root, nil) else {
            throw TarError.posix("archive-extract", "cannot resolve \(root)", errno: errno)
        }
        let base = String(cString: real)
        free(real)
        let disk = try DiskWriter(label: reader.label)
        var state = ExtractState(root: base, label: reader.label, mode: whiteouts, disk: disk)
        while let entry = try reader.nextRaw() {
            try state.apply(entry, reader: reader)
        }
        try disk.close()
        return ExtractSummary(
            stream: try reader.finish(), implicitDirectories: state.implicitDirectories.sorted(),
            lowerHardlinks: state.lowerHardlinks)
    }
}

/// libarchive's disk writer. It sets directory modes and times only when closed, by path; `flush` applies
/// them early, before a directory is removed, so a symlink that replaces it cannot redirect them outside.
final class DiskWriter {
    static let flags: Int32 = TarExtractor.diskFlags
    private(set) var pointer: OpaquePointer
    let label: String

    init(label: String) throws(TarError) {
        guard let disk = archive_write_disk_new() else { throw TarError.cannotCreate("archive-extract", "disk writer") }
        archive_write_disk_set_options(disk, Self.flags)
        pointer = disk
        self.label = label
    }

    deinit { archive_write_free(pointer) }

    /// Applies the pending directory modes and times, then continues with a fresh writer.
    func flush() throws(TarError) {
        try close()
        guard let disk = archive_write_disk_new() else { throw TarError.cannotCreate("archive-extract", "disk writer") }
        archive_write_disk_set_options(disk, Self.flags)
        archive_write_free(pointer)
        pointer = disk
    }

    func close() throws(TarError) {
        guard archive_write_close(pointer) == ARCHIVE_OK else {
            throw TarError.libarchive("archive-extract", "\(label): finishing extraction", pointer)
        }
    }
}
