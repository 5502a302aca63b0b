import Crypto
import Foundation
import Testing
@testable import TarArchive

/// gzip layers inflated by each inflater built in (ISA-L, zlib through libarchive) give the same tree and
/// the same DiffID; gzip streams made by the real `gzip` tool, one or many members, cut short or corrupt.
@Suite struct InflaterTests {
    /// How a test stream is made from the tar (or tars) it holds.
    enum Shape: String, CaseIterable, CustomTestStringConvertible {
        case emptyStream  // gzip of zero bytes: no tar at all
        case emptyTar  // a tar with no entries (two zero blocks)
        case small  // a few entries of every kind, one member
        case multiMiB  // 6 MiB: incompressible (stored blocks) and repetitive data, one member
        case libarchiveGzip  // the multi-MiB tar compressed by libarchive's writer instead of gzip(1)
        case multiMember  // one tar cut at odd offsets into three members, one with a file name header
        case concatenated  // two whole .tar.gz files one after the other (`cat a.tar.gz b.tar.gz`)
        case trailingZeros  // one member followed by 1 KiB of zero bytes
        var testDescription: String { rawValue }
    }

    struct Made {
        var file: String
        /// The uncompressed bytes the stream holds: its DiffID is their SHA-256.
        var uncompressed: Data
        /// Where each gzip member ends in the file.
        var memberEnds: [Int] = []
    }

    @Test(arguments: Shape.allCases)
    func everyInflaterGivesTheSameTreeAndDiffID(_ shape: Shape) throws {
        let dir = try Scratch()
        defer { dir.cleanup() }
        let made = try make(shape, in: dir)
        let expected = StreamDigest(
            digest: "sha256:" + hex(SHA256.hash(data: made.uncompressed)),
            size: Int64(made.uncompressed.count))
        var trees: [GzipInflater: [String: String]] = [:]
        for inflater in GzipInflater.allCases {
            let root = dir.path + "/root-" + inflater.rawValue
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            let reader = try TarReader(path: made.file, compression: .gzip, inflater: inflater, progress: nil)
            let summary = try TarExtractor.extract(reader, into: root, whiteouts: .apply)
            #expect(summary.stream == expected, "\(inflater)")
            trees[inflater] = try describe(root)
        }
        #expect(trees[.isal] == trees[.zlib])
        if shape != .emptyStream && shape != .emptyTar {
            #expect(trees[.zlib]?.isEmpty == false)
        }
    }

    @Test func detectAndZstdTypesStillInflateGzipTheSame() throws {
        let dir = try Scratch()
        defer { dir.cleanup() }
        let made = try make(.small, in: dir)
        for compression in [TarCompression.detect, .zstd] {
            let reader = try TarReader(path: made.file, compression: compression)
            #expect(try reader.finish().size == Int64(made.uncompressed.count), "\(compression)")
        }
    }

    /// Where a stream is cut.
    enum Cut: String, CaseIterable, CustomTestStringConvertible {
        case afterTheHeader, half, insideTheTrailer
        case insideTheSecondMember, insideTheSecondHeader, insideTheSecondTrailer
        var testDescription: String { rawValue }
    }

    @Test(arguments: Cut.allCases)
    func truncatedStreamsAreAnErrorNotAHang(_ cut: Cut) throws {
        let dir = try Scratch()
        defer { dir.cleanup() }
        let made = try make(.multiMember, in: dir)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: made.file))
        let first = made.memberEnds[0], second = made.memberEnds[1]
        let keep =
            switch cut {
            case .afterTheHeader: 12
            case .half: first / 2
            case .insideTheTrailer: first - 3
            case .insideTheSecondHeader: first + 5
            case .insideTheSecondMember: first + (second - first) / 2
            case .insideTheSecondTrailer: second - 6
            }
        try bytes.prefix(keep).write(to: URL(fileURLWithPath: dir.path + "/cut.tar.gz"))
        for inflater in GzipInflater.allCases {
            let root = dir.path + "/root-" + inflater.rawValue
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            let error = #expect(throws: TarError.self, "\(inflater)") {
                let reader = try TarReader(
                    path: dir.path + "/cut.tar.gz", compression: .gzip, inflater: inflater,
                    progress: nil)
                try TarExtractor.extract(reader, into: root, whiteouts: .apply)
            }
            #expect(error?.code == "archive-read", "\(inflater): \(error?.message ?? "")")
        }
    }

    /// A wrong CRC-32 or length in the gzip trailer, over intact data. ISA-L checks the trailer and refuses the
    /// stream, as gzip(1) and containerd do; libarchive's gzip filter does not check it, so the zlib build
    /// accepts it (the DiffID, checked by the caller, still covers the data).
    @Test(arguments: [4, 8])
    func aWrongTrailerIsRefusedByISAL(_ fromEnd: Int) throws {
        let dir = try Scratch()
        defer { dir.cleanup() }
        let made = try make(.small, in: dir)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: made.file))
        bytes[bytes.count - fromEnd] ^= 0x5A
        try bytes.write(to: URL(fileURLWithPath: made.file))
        let zlib = try TarReader(path: made.file, compression: .gzip, inflater: .zlib, progress: nil)
        #expect(try zlib.finish().size == Int64(made.uncompressed.count))
        guard GzipInflater.available.contains(.isal) else { return }
        let error = #expect(throws: TarError.self) {
            let reader = try TarReader(path: made.file, compression: .gzip, inflater: .isal, progress: nil)
            _ = try reader.finish()
        }
        #expect(error?.code == "archive-read")
        #expect(error?.message.contains("CRC-32 or length") == true, "\(error?.message ?? "")")
    }

    @Test func theBuildSaysWhichInflaterItUses() {
        #if canImport(CISAL)
        #expect(GzipInflater.preferred == .isal)
        #expect(GzipInflater.preferred.versionDescription.hasPrefix("isa-l 2."))
        #else
        #expect(GzipInflater.preferred == .zlib)
        #endif
        #expect(GzipInflater.zlib.versionDescription.hasPrefix("zlib 1."))
    }

    // MARK: making streams

    func make(_ shape: Shape, in dir: Scratch) throws -> Made {
        let file = dir.path + "/layer.tar.gz"
        switch shape {
        case .emptyStream:
            try Data().write(to: URL(fileURLWithPath: dir.path + "/empty"))
            try gzip([dir.path + "/empty"], to: file)
            return Made(file: file, uncompressed: Data())
        case .emptyTar:
            let tar = try writeTar(dir, "t.tar") { _ in }
            try gzip([tar], to: file)
            return Made(file: file, uncompressed: try read(tar))
        case .small:
            let tar = try writeTar(dir, "t.tar", small)
            try gzip([tar], to: file)
            return Made(file: file, uncompressed: try read(tar))
        case .multiMiB:
            let tar = try writeTar(dir, "t.tar", large)
            try gzip([tar], to: file)
            return Made(file: file, uncompressed: try read(tar))
        case .libarchiveGzip:
            let tar = try writeTar(dir, "t.tar", large)
            _ = try TarPacker.gzip(file: tar, to: file)
            return Made(file: file, uncompressed: try read(tar))
        case .multiMember:
            let tar = try read(try writeTar(dir, "t.tar", large))
            var pieces: [String] = []
            for (i, range) in [0..<1_000_003, 1_000_003..<3_333_333, 3_333_333..<tar.count].enumerated() {
                let piece = dir.path + "/piece\(i)"
                try tar.subdata(in: range).write(to: URL(fileURLWithPath: piece))
                pieces.append(piece)
            }
            let ends = try gzip(pieces, to: file, keepNameOf: 1)
            return Made(file: file, uncompressed: tar, memberEnds: ends)
        case .concatenated:
            let first = try writeTar(dir, "a.tar", small)
            let second = try writeTar(dir, "b.tar", large)
            try gzip([first, second], to: file)
            return Made(file: file, uncompressed: try read(first) + read(second))
        case .trailingZeros:
            let tar = try writeTar(dir, "t.tar", small)
            try gzip([tar], to: file)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(count: 1024))
            try handle.close()
            return Made(file: file, uncompressed: try read(tar))
        }
    }

    func small(_ writer: TarWriter) throws {
        try writer.add("etc", kind: .directory, mode: 0o755)
        try writer.add("etc/hostname", kind: .regular, data: Data("berth\n".utf8))
        try writer.add("etc/empty", kind: .regular, mode: 0o600)
        try writer.add("etc/link", kind: .symlink, link: "hostname")
        try writer.add("etc/hard", kind: .hardlink, link: "etc/hostname")
        try writer.add("bin/tool", kind: .regular, mode: 0o755, data: Data(repeating: 0x90, count: 70_000))
    }

    func large(_ writer: TarWriter) throws {
        try small(writer)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var noise = [UInt8](repeating: 0, count: 2 << 20)
        for i in noise.indices {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            noise[i] = UInt8(truncatingIfNeeded: state >> 33)
        }
        try writer.add("data/noise", kind: .regular, data: Data(noise))
        var text = ""
        for i in 0..<110_000 { text += "line \(i % 977) of a layer that compresses well\n" }
        try writer.add("data/text", kind: .regular, data: Data(text.utf8))
    }

    func writeTar(_ dir: Scratch, _ name: String, _ fill: (TarWriter) throws -> Void) throws -> String {
        let path = dir.path + "/" + name
        let writer = try TarWriter(path: path)
        try fill(writer)
        _ = try writer.finish()
        return path
    }

    /// Each input becomes one gzip member (gzip(1) at level 6), in order, into `output`; member
    /// `keepNameOf` carries its file name in the header (FNAME), the others none (`-n`). Returns where each
    /// member ends.
    @discardableResult
    func gzip(_ inputs: [String], to output: String, keepNameOf named: Int? = nil) throws -> [Int] {
        try #require(FileManager.default.createFile(atPath: output, contents: nil))
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        defer { try? out.close() }
        var ends: [Int] = []
        for (i, input) in inputs.enumerated() {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/gzip")
            process.arguments = (i == named ? ["-6", "-N", "-c"] : ["-6", "-n", "-c"]) + [input]
            process.standardOutput = out
            try process.run()
            process.waitUntilExit()
            try #require(process.terminationStatus == 0)
            ends.append(Int(try out.offset()))  // the child wrote through the same open file: shared offset
        }
        return ends
    }

    func read(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    /// Every path under `root` with its type, mode, owner and content (SHA-256 for files, target for links).
    func describe(_ root: String) throws -> [String: String] {
        var result: [String: String] = [:]
        for path in FileManager.default.subpaths(atPath: root) ?? [] {
            let full = root + "/" + path
            var st = Glibc.stat()
            try #require(lstat(full, &st) == 0)
            var text = "\(String(st.st_mode, radix: 8)) \(st.st_uid):\(st.st_gid) \(st.st_nlink)"
            switch st.st_mode & 0o170000 {
            case 0o100000: text += " " + hex(SHA256.hash(data: try read(full)))
            case 0o120000: text += " -> " + (try FileManager.default.destinationOfSymbolicLink(atPath: full))
            default: break
            }
            result[path] = text
        }
        return result
    }

    func hex(_ digest: SHA256.Digest) -> String { digest.map { String(format: "%02x", $0) }.joined() }
}
