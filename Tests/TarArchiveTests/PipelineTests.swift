import Foundation
import Testing
@testable import TarArchive

/// The decompression thread and its bounded buffers: streams far longer than the buffers, early stops
/// and corrupt input.
@Suite struct PipelineTests {
    /// A tar of `files` files of `size` pseudo-random bytes each (incompressible enough to span many buffers).
    func makeBigTar(_ dir: Scratch, files: Int, size: Int) throws -> [String: Data] {
        var contents: [String: Data] = [:]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let writer = try TarWriter(path: dir.path + "/big.tar")
        for i in 0..<files {
            var bytes = [UInt8](repeating: 0, count: size)
            for j in bytes.indices {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                bytes[j] = UInt8(truncatingIfNeeded: state >> 33)
            }
            let name = "d\(i % 3)/f\(i)"
            contents[name] = Data(bytes)
            try writer.add(name, kind: .regular, data: Data(bytes))
        }
        _ = try writer.finish()
        return contents
    }

    struct Case: CustomTestStringConvertible {
        var compression: TarCompression
        var file: String
        var testDescription: String { "\(compression)" }
    }

    @Test(arguments: [
        Case(compression: .none, file: "big.tar"), Case(compression: .gzip, file: "big.tar.gz"),
        Case(compression: .zstd, file: "big.tar.zst"),
    ])
    func longStreamsKeepDigestAndContent(_ item: Case) throws {
        let dir = try Scratch()
        defer { dir.cleanup() }
        let contents = try makeBigTar(dir, files: 12, size: (HashingSource.blockSize * 3) / 4 + 17)
        if item.compression != .none {
            _ = try TarPacker.compress(
                file: dir.path + "/big.tar", to: dir.path + "/" + item.file,
                compression: item.compression)
        }
        let tarSize = try #require(dir.info("big.tar")).st_size
        let expected = try sha256sum(dir.path + "/big.tar")
        try FileManager.default.createDirectory(atPath: dir.path + "/root", withIntermediateDirectories: true)
        let seen = Progress()
        let reader = try TarReader(
            path: dir.path + "/" + item.file, compression: item.compression,
            progress: { seen.record($0) })
        let summary = try TarExtractor.extract(reader, into: dir.path + "/root", whiteouts: .overlay)
        #expect(summary.stream == StreamDigest(digest: expected, size: Int64(tarSize)))
        for (name, data) in contents {
            #expect(FileManager.default.contents(atPath: dir.path + "/root/" + name) == data, "\(name)")
        }
        let blobSize = try #require(dir.info(item.file)).st_size
        #expect(seen.values.count > 1)
        #expect(seen.values == seen.values.sorted())
        #expect(seen.values.last == Int64(blobSize))
    }

    /// The digest of a file by coreutils, an oracle independent of the code under test.
    func sha256sum(_ path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return "sha256:" + (text.split(separator: " ").first.map(String.init) ?? "")
    }

    @Test func droppingAReaderEarlyStopsTheThread() throws {
        let dir = try Scratch()
        defer { dir.cleanup() }
        _ = try makeBigTar(dir, files: 16, size: HashingSource.blockSize)
        for _ in 0..<20 {
            let reader = try TarReader(path: dir.path + "/big.tar", compression: .detect)
            #expect(try reader.next()?.path == "d0/f0")
        }
    }

    @Test func truncatedGzipIsAnErrorNotAHang() throws {
        let dir = try Scratch()
        defer { dir.cleanup() }
        _ = try makeBigTar(dir, files: 8, size: HashingSource.blockSize)
        _ = try TarPacker.gzip(file: dir.path + "/big.tar", to: dir.path + "/big.tar.gz")
        let gz = try Data(contentsOf: URL(fileURLWithPath: dir.path + "/big.tar.gz"))
        try gz.prefix(gz.count / 2).write(to: URL(fileURLWithPath: dir.path + "/cut.tar.gz"))
        try FileManager.default.createDirectory(atPath: dir.path + "/root", withIntermediateDirectories: true)
        let error = #expect(throws: TarError.self) {
            let reader = try TarReader(path: dir.path + "/cut.tar.gz", compression: .gzip)
            try TarExtractor.extract(reader, into: dir.path + "/root", whiteouts: .apply)
        }
        #expect(error?.code == "archive-read")
    }

    /// Progress values seen from the decompression thread.
    final class Progress: @unchecked Sendable {
        private let lock = NSLock()
        private var seen: [Int64] = []
        func record(_ value: Int64) { lock.withLock { seen.append(value) } }
        var values: [Int64] { lock.withLock { seen } }
    }

    struct CleanCase: CustomTestStringConvertible {
        var name: String
        var expected: String?
        var testDescription: String { name }
    }

    @Test(arguments: [
        CleanCase(name: "usr/bin/env", expected: "usr/bin/env"),
        CleanCase(name: "usr/share/", expected: "usr/share"),
        CleanCase(name: "./usr/share/", expected: "usr/share"),
        CleanCase(name: "././a", expected: "a"),
        CleanCase(name: "a//b", expected: "a/b"),
        CleanCase(name: "a/./b/.", expected: "a/b"),
        CleanCase(name: "a/b/../c", expected: "a/c"),
        CleanCase(name: "..a/b..", expected: "..a/b.."),
        CleanCase(name: "a/.../b", expected: "a/.../b"),
        CleanCase(name: ".hidden/.x", expected: ".hidden/.x"),
        CleanCase(name: ".", expected: nil),
        CleanCase(name: "./", expected: nil),
        CleanCase(name: "a/..", expected: nil),
        // Bytes, not Characters: a combining mark after `/` or a prepended mark before it hides no separator.
        CleanCase(name: "a/\u{301}b", expected: "a/\u{301}b"),
        CleanCase(name: "/\u{301}x", expected: "\u{301}x"),
        CleanCase(name: "\u{600}/x/../y", expected: "\u{600}/y"),
        CleanCase(name: "./\u{301}/./x", expected: "\u{301}/x"),
    ])
    func namesAreCleaned(_ item: CleanCase) throws {
        let state = ExtractState(root: "/nonexistent", label: "t", mode: .apply, disk: try DiskWriter(label: "t"))
        #expect(try state.clean(item.name) == item.expected)
    }
}
