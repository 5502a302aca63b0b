import CArchive
#if canImport(CISAL)
import CISAL
#endif

/// Which library inflates gzip layers. ISA-L when its headers (libisal-dev) were found at build time
/// (`canImport(CISAL)`), else zlib through libarchive's gzip filter; zstd and plain tar always go through
/// libarchive.
public enum GzipInflater: String, Sendable, CaseIterable {
    /// Intel ISA-L's `isal_inflate` (gzip header, CRC-32 and length checked by ISA-L).
    case isal
    /// zlib, through libarchive's gzip filter (which does not check the gzip trailer).
    case zlib

    /// The inflater this build uses for gzip streams.
    public static let preferred: GzipInflater = available[0]

    /// The inflaters compiled into this build, preferred first.
    public static var available: [GzipInflater] {
        #if canImport(CISAL)
        [.isal, .zlib]
        #else
        [.zlib]
        #endif
    }

    /// Name and version, for `berth --version`: `isa-l 2.30.0` or `zlib 1.2.13 (libarchive)`.
    public var versionDescription: String {
        switch self {
        case .isal:
            #if canImport(CISAL)
            return "isa-l \(ISAL_MAJOR_VERSION).\(ISAL_MINOR_VERSION).\(ISAL_PATCH_VERSION)"
            #else
            return "isa-l (not built in)"
            #endif
        case .zlib:
            return "zlib \(archive_zlib_version().map { String(cString: $0) } ?? "?") (libarchive)"
        }
    }

    /// True when the stream at `fd` starts with a gzip member header as libarchive's gzip bidder reads it
    /// (1f 8b, method 8 = deflate, no reserved flag bits). Reads with `pread`: the file offset is unchanged.
    static func startsWithGzipHeader(fd: Int32) -> Bool {
        var head = [UInt8](repeating: 0, count: 10)
        let n = head.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        return n == head.count && isGzipHeader(head[...])
    }

    static func isGzipHeader(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard bytes.count >= 10 else { return false }
        let start = bytes.startIndex
        return bytes[start] == 0x1F && bytes[start + 1] == 0x8B && bytes[start + 2] == 0x08
            && bytes[start + 3] & 0xE0 == 0
    }
}
