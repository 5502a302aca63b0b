import BerthSystem
import Foundation
import Testing

struct HexTests {
    @Test func sha256OfKnownInputs() {
        #expect(SHA256Hex.of(Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256Hex.digest(of: Data()) == "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Hex.encode([0x00, 0x0f, 0xa0, 0xff]) == "000fa0ff")
    }
}

struct AtomicFileTests {
    @Test(arguments: [AtomicFile.Durability.durable, .crashSafe])
    func replacesTheFileAndLeavesNoTemp(durability: AtomicFile.Durability) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("berth-atomic-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try AtomicFile.write(Data("old".utf8), to: dir + "/f", durability: durability)
        try AtomicFile.write(Data("new".utf8), to: dir + "/f", mode: 0o600, durability: durability)
        #expect(FileManager.default.contents(atPath: dir + "/f") == Data("new".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["f"])
        let mode = try FileManager.default.attributesOfItem(atPath: dir + "/f")[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func failureNamesThePathAndKeepsErrno() {
        #expect {
            try AtomicFile.write(Data(), to: "/proc/no-such-dir/f")
        } throws: { error in
            guard let error = error as? SystemCallError else { return false }
            return error.what.hasPrefix("cannot create /proc/no-such-dir/") && error.errno == ENOENT
        }
    }
}

struct DirectoryMakerTests {
    private static func mode(_ path: String) -> mode_t {
        var st = stat()
        return stat(path, &st) == 0 ? st.st_mode & 0o7777 : 0
    }

    @Test func makesEachMissingParentWithTheModeWhateverTheUmask() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("berth-mkdir-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let old = umask(0o277)  // would leave 0500 of 0777
        defer { umask(old) }
        try DirectoryMaker.create(dir + "/a/b/c", mode: 0o750)
        for path in [dir, dir + "/a", dir + "/a/b", dir + "/a/b/c"] { #expect(Self.mode(path) == 0o750, "\(path)") }
        // An existing directory is left as it is, mode included.
        chmod(dir + "/a", 0o711)
        try DirectoryMaker.create(dir + "/a/b", mode: 0o700)
        #expect(Self.mode(dir + "/a") == 0o711)
        #expect(Self.mode(dir + "/a/b") == 0o750)
    }

    @Test func aFileInTheWayFailsWithItsPath() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("berth-mkdir-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        FileManager.default.createFile(atPath: dir + "/file", contents: Data("x".utf8))
        for target in [dir + "/file", dir + "/file/below"] {
            #expect {
                try DirectoryMaker.create(target, mode: 0o700)
            } throws: { error in
                guard let error = error as? SystemCallError else { return false }
                return error.what.contains(dir + "/file") && (error.errno == EEXIST || error.errno == ENOTDIR)
            }
        }
        #expect(FileManager.default.contents(atPath: dir + "/file") == Data("x".utf8))
    }
}

struct FileLockTests {
    @Test func aSecondLockWaitsForTheFirst() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("berth-lock-\(UUID().uuidString)").path
        defer { unlink(path) }
        let first = try FileLock(path: path)
        let taken = Flag()
        let thread = Thread {
            let second = try? FileLock(path: path)
            taken.set()
            second?.unlock()
        }
        thread.start()
        usleep(200_000)
        #expect(!taken.isSet, "a second lock of the same file must wait")
        first.unlock()
        for _ in 0..<100 where !taken.isSet { usleep(20_000) }
        #expect(taken.isSet)
    }
}

private final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.lock(); value = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
}

struct EnvironmentVariableTests {
    @Test func readsWhatProcessInfoReads() {
        #expect(EnvironmentVariable.value("PATH") == ProcessInfo.processInfo.environment["PATH"])
        #expect(EnvironmentVariable.value("BERTH_NO_SUCH_VARIABLE_\(UUID().uuidString.prefix(8))") == nil)
        #expect(EnvironmentVariable.processorCount == ProcessInfo.processInfo.activeProcessorCount)
    }
}

struct SmallFileTests {
    private struct Case: CustomTestStringConvertible, Sendable {
        var content: String
        var integer: Int32?
        var testDescription: String { content.debugDescription }
    }

    private static let pidFiles: [Case] = [
        Case(content: "4242", integer: 4242), Case(content: " 17\n", integer: 17), Case(content: "\t9\r\n", integer: 9),
        Case(content: "", integer: nil), Case(content: "\n", integer: nil), Case(content: "12 34", integer: nil),
        Case(content: "-", integer: nil), Case(content: "99999999999", integer: nil), Case(content: "0x10", integer: nil),
    ]

    @Test(arguments: pidFiles)
    private func aPidFileIsADecimalNumberOrNothing(_ testCase: Case) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("berth-small-\(UUID().uuidString)").path
        try Data(testCase.content.utf8).write(to: URL(fileURLWithPath: path))
        defer { unlink(path) }
        #expect(SmallFile.integer(path) == testCase.integer)
    }

    @Test func bytesAreTheWholeFileAndMissingOrDirectoryIsNil() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("berth-small-\(UUID().uuidString)").path
        let content = (0..<50_000).map { UInt8($0 % 251) }
        try Data(content).write(to: URL(fileURLWithPath: path))
        defer { unlink(path) }
        #expect(SmallFile.bytes(path) == content)
        #expect(SmallFile.bytes(path + ".missing") == nil)
        #expect(SmallFile.bytes(FileManager.default.temporaryDirectory.path) == nil)
    }

    @Test func containsFindsAPatternAnywhereOnlyWhenWhole() {
        let bytes = Array("{\"source\": \"/var/lib/berth/volumes/x/_data\"}".utf8)
        #expect(SmallFile.contains(bytes, "/var/lib/berth/volumes/"))
        #expect(SmallFile.contains(bytes, "{"))
        #expect(SmallFile.contains(bytes, "_data\"}"))
        #expect(!SmallFile.contains(bytes, "/var/lib/berth/volumes/y/"))
        #expect(!SmallFile.contains(bytes, "_data\"}!"))
        #expect(!SmallFile.contains([], "a"))
    }
}
