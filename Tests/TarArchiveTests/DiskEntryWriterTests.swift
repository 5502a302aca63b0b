import CArchive
import Foundation
import Testing
@testable import TarArchive

/// Entries made from files on disk, as the rootfs packer (fixed times) and the checkpoint diff (file times,
/// overlay attributes dropped) make them.
@Suite struct DiskEntryWriterTests {
    /// Writes `names` (under `root`) with `writer` into a tar, lists it and extracts it into `out`.
    func pack(_ dir: Scratch, _ names: [String], writer: inout DiskEntryWriter, out: String) throws -> (written: [Bool], entries: [TarEntry]) {
        let output = dir.path + "/\(out).tar"
        guard let archive = archive_write_new() else { throw TarError("test", "no archive") }
        archive_write_set_format_pax_restricted(archive)
        archive_write_add_filter_none(archive)
        #expect(archive_write_open_filename(archive, output) == ARCHIVE_OK)
        var written: [Bool] = []
        for name in names { written.append(try writer.write(dir.path + "/root/" + name, as: name, into: archive)) }
        #expect(archive_write_close(archive) == ARCHIVE_OK)
        archive_write_free(archive)
        let reader = try TarReader(path: output, compression: .none)
        var entries: [TarEntry] = []
        while let entry = try reader.next() { entries.append(entry) }
        try FileManager.default.createDirectory(atPath: dir.path + "/" + out, withIntermediateDirectories: true)
        try TarExtractor.extract(try TarReader(path: output, compression: .none), into: dir.path + "/" + out, whiteouts: .apply)
        return (written, entries)
    }

    func hasAttribute(_ path: String, _ name: String) -> Bool {
        lgetxattr(path, name, nil, 0) >= 0
    }

    @Test func timesAttributesLinksAndSkippedSockets() throws {
        let dir = try Scratch()
        defer { dir.cleanup() }
        try dir.write("root/file", "data")
        link(dir.path + "/root/file", dir.path + "/root/again")
        var times = [timespec(tv_sec: 1_700_000_000, tv_nsec: 0), timespec(tv_sec: 1_700_000_000, tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, dir.path + "/root/file", &times, 0) == 0)
        #expect(lsetxattr(dir.path + "/root/file", "user.keep", "1", 1, 0) == 0)
        #expect(lsetxattr(dir.path + "/root/file", "user.drop", "1", 1, 0) == 0)
        let socketPath = dir.path + "/root/sock"
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in socketPath.utf8.prefix(raw.count - 1).enumerated() { raw[i] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        defer { close(fd) }
        #expect(bound == 0)

        var fileTimes = DiskEntryWriter(times: .file, keepAttribute: { $0 != "user.drop" })
        let real = try pack(dir, ["file", "again", "sock"], writer: &fileTimes, out: "real")
        #expect(real.written == [true, true, false])
        #expect(real.entries.map(\.path) == ["file", "again"])
        #expect(real.entries.last?.kind == .hardlink && real.entries.last?.hardlinkTarget == "file")
        #expect(dir.info("real/file")?.st_mtim.tv_sec == 1_700_000_000)
        #expect(hasAttribute(dir.path + "/real/file", "user.keep"))
        #expect(!hasAttribute(dir.path + "/real/file", "user.drop"))

        var fixed = DiskEntryWriter(times: .fixed(0))
        _ = try pack(dir, ["file"], writer: &fixed, out: "fixed")
        #expect(dir.info("fixed/file")?.st_mtim.tv_sec == 0)
        #expect(hasAttribute(dir.path + "/fixed/file", "user.drop"))
    }
}
