import CArchive

/// The header of one tar entry, as the reader sees it (path exactly as stored in the archive).
public struct TarEntry: Hashable, Sendable {
    public enum Kind: String, Sendable, Hashable {
        case regular, directory, symlink, hardlink, characterDevice, blockDevice, fifo, socket, unknown
    }

    public var path: String
    public var kind: Kind
    public var size: Int64
    public var mode: UInt32
    public var uid: Int64
    public var gid: Int64
    /// Symlink text, verbatim.
    public var symlinkTarget: String?
    /// Hard-link target as stored (archive-relative).
    public var hardlinkTarget: String?

    init(_ entry: OpaquePointer) {
        path = archive_entry_pathname(entry).map { String(cString: $0) } ?? ""
        size = archive_entry_size(entry)
        mode = UInt32(archive_entry_perm(entry))
        uid = archive_entry_uid(entry)
        gid = archive_entry_gid(entry)
        symlinkTarget = archive_entry_symlink(entry).map { String(cString: $0) }
        hardlinkTarget = archive_entry_hardlink(entry).map { String(cString: $0) }
        if hardlinkTarget != nil {
            kind = .hardlink
            return
        }
        switch archive_entry_filetype(entry) {
        case EntryType.regular: kind = .regular
        case EntryType.directory: kind = .directory
        case EntryType.symlink: kind = .symlink
        case EntryType.characterDevice: kind = .characterDevice
        case EntryType.blockDevice: kind = .blockDevice
        case EntryType.fifo: kind = .fifo
        case EntryType.socket: kind = .socket
        default: kind = .unknown
        }
    }
}
