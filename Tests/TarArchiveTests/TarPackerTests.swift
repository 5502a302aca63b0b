import CArchive
import Foundation
import Testing
@testable import TarArchive

@Suite struct TarPackerTests {
    func makeTree(_ dir: Scratch) throws {
        try dir.write("root/bin/tool", "#!/bin/sh\necho hi\n", mode: 0o755)
        try dir.write("root/etc/motd", "hello\n", mode: 0o600)
        try dir.write("root/a-b", "dash\n")
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/root/link", withDestinationPath: "etc/motd")
        link(dir.path + "/root/etc/motd", dir.path + "/root/etc/motd2")
        chown(dir.path + "/root/a-b", 1234, 567)
    }

    @Test func packingTwiceGivesTheSameBytes() throws {
        let dir = try Scratch()
        defer { dir.cleanup() }
        try makeTree(dir)
        let first = try TarPacker.packTar(directory: dir.path + "/root", to: dir.path + "/one.tar")
        // Touch times and re-pack: mtimes are fixed, so the digest must not move.
        utimes(dir.path + "/root/etc/motd", nil)
        let second = try TarPacker.packTar(directory: dir.path + "/root", to: dir.path + "/two.tar")
        #expect(first == second)
        let gz1 = try TarPacker.gzip(file: dir.path + "/one.tar", to: dir.path + "/one.tar.gz")
        sleep(1)
        let gz2 = try TarPacker.gzip(file: dir.path + "/two.tar", to: dir.path + "/two.tar.gz")
        #expect(gz1 == gz2)
        #expect(gz1.digest != first.digest)
    }

    /// Names beyond ASCII (CA certificates, translations) survive packing, GNU tar's reading and extraction,
    /// whatever locale the process started in.
    @Test func nonASCIINamesRoundTrip() throws {
        let dir = try Scratch()
        defer { dir.cleanup() }
        let names = ["café-ü.txt", "NetLock_Arany_=Class_Gold=_Főtanúsítvány.crt", "日本語/ファイル"]
        for name in names { try dir.write("root/" + name, name) }
        _ = try TarPacker.packTar(directory: dir.path + "/root", to: dir.path + "/t.tar")
        let listed = try ProcessRunnerShim.run("/bin/tar", ["-tf", dir.path + "/t.tar"])
        for name in names { #expect(listed.contains(name), "\(listed)") }
        try FileManager.default.createDirectory(atPath: dir.path + "/out", withIntermediateDirectories: true)
        try TarExtractor.extract(
            try TarReader(path: dir.path + "/t.tar", compression: .none), into: dir.path + "/out",
            whiteouts: .apply)
        for name in names { #expect(dir.read("out/" + name) == name) }
    }

    @Test func entriesAreSortedWithOwnershipModesAndLinks() throws {
        let dir = try Scratch()
        defer { dir.cleanup() }
        try makeTree(dir)
        let packed = try TarPacker.packTar(directory: dir.path + "/root", to: dir.path + "/t.tar")
        let reader = try TarReader(path: dir.path + "/t.tar", compression: .none)
        var entries: [TarEntry] = []
        while let entry = try reader.next() { entries.append(entry) }
        #expect(try reader.finish() == packed)
        #expect(entries.map(\.path) == ["a-b", "bin/", "bin/tool", "etc/", "etc/motd", "etc/motd2", "link"])
        let byPath = Dictionary(uniqueKeysWithValues: entries.map { ($0.path, $0) })
        #expect(byPath["a-b"]?.uid == 1234)
        #expect(byPath["a-b"]?.gid == 567)
        #expect(byPath["bin/tool"]?.mode == 0o755)
        #expect(byPath["etc/motd"]?.mode == 0o600)
        #expect(byPath["link"]?.kind == .symlink)
        #expect(byPath["link"]?.symlinkTarget == "etc/motd")
        #expect(byPath["etc/motd2"]?.kind == .hardlink)
        #expect(byPath["etc/motd2"]?.hardlinkTarget == "etc/motd")
    }

    @Test func extendedAttributesArePackedAndExtracted() throws {
        let dir = try Scratch()
        defer { dir.cleanup() }
        try dir.write("root/cap", "binary")
        #expect(lsetxattr(dir.path + "/root/cap", "user.berth", "yes", 3, 0) == 0)
        _ = try TarPacker.packTar(directory: dir.path + "/root", to: dir.path + "/t.tar")
        try FileManager.default.createDirectory(atPath: dir.path + "/out", withIntermediateDirectories: true)
        let reader = try TarReader(path: dir.path + "/t.tar", compression: .none)
        _ = try TarExtractor.extract(reader, into: dir.path + "/out", whiteouts: .apply)
        var value = [UInt8](repeating: 0, count: 8)
        let n = lgetxattr(dir.path + "/out/cap", "user.berth", &value, value.count)
        #expect(n == 3 && Array(value[0..<3]) == Array("yes".utf8))
    }

    @Test func readerHashesTheUncompressedStream() throws {
        let dir = try Scratch()
        defer { dir.cleanup() }
        try makeTree(dir)
        let tar = try TarPacker.packTar(directory: dir.path + "/root", to: dir.path + "/t.tar")
        _ = try TarPacker.gzip(file: dir.path + "/t.tar", to: dir.path + "/t.tar.gz")
        let zstdDigest = try TarPacker.compress(file: dir.path + "/t.tar", to: dir.path + "/t.tar.zst", compression: .zstd)
        #expect(zstdDigest.digest != tar.digest)
        let writer = try TarWriter(path: dir.path + "/w.tar.zst", compression: .zstd)
        try writer.add("dir/", kind: .directory, mode: 0o755)
        try writer.add("dir/file", kind: .regular, data: Data("zstd data\n".utf8))
        try writer.finish()
        struct Case { var file: String; var compression: TarCompression; var expected: StreamDigest }
        let cases = [
            Case(file: "t.tar", compression: .none, expected: tar),
            Case(file: "t.tar.gz", compression: .gzip, expected: tar),
            Case(file: "t.tar.gz", compression: .detect, expected: tar),
            Case(file: "t.tar", compression: .detect, expected: tar),
            Case(file: "t.tar.zst", compression: .zstd, expected: tar),
            Case(file: "t.tar.zst", compression: .detect, expected: tar),
        ]
        for item in cases {
            let reader = try TarReader(path: dir.path + "/" + item.file, compression: item.compression)
            var count = 0
            while try reader.next() != nil { count += 1 }
            #expect(count > 0, "\(item.file)")
            #expect(try reader.finish() == item.expected, "\(item.file) \(item.compression)")
        }
        let written = try TarReader(path: dir.path + "/w.tar.zst", compression: .detect)
        #expect(try written.next()?.path == "dir/")
        #expect(try written.next()?.path == "dir/file")
        #expect(try String(decoding: written.readData(limit: 100), as: UTF8.self) == "zstd data\n")
    }

    @Test(arguments: [0, 1024, 10240])
    func emptyStreamsHaveNoEntries(zeroBytes: Int) throws {
        let dir = try Scratch()
        defer { dir.cleanup() }
        let path = dir.path + "/empty.tar"
        try Data(count: zeroBytes).write(to: URL(fileURLWithPath: path))
        for compression in [TarCompression.none, .detect] {
            let reader = try TarReader(path: path, compression: compression)
            #expect(try reader.next() == nil)
            let digest = try reader.finish()
            #expect(digest.size == Int64(zeroBytes))
            let emptySHA = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
            #expect(zeroBytes != 0 || digest.digest == emptySHA)
        }
    }

    @Test func gzipDataUnderPlainTarTypeIsNotSniffed() throws {
        let dir = try Scratch()
        defer { dir.cleanup() }
        try makeTree(dir)
        _ = try TarPacker.packTar(directory: dir.path + "/root", to: dir.path + "/t.tar")
        _ = try TarPacker.gzip(file: dir.path + "/t.tar", to: dir.path + "/t.tar.gz")
        #expect(throws: TarError.self) {
            let reader = try TarReader(path: dir.path + "/t.tar.gz", compression: .none)
            while try reader.next() != nil {}
        }
    }
}

/// Runs a command and returns its standard output (tests only).
enum ProcessRunnerShim {
    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
