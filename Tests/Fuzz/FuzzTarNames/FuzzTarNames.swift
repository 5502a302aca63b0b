import CArchive
import Foundation
@testable import TarArchive

/// A tar stream extracted entry by entry (as `TarExtractor.extract` does) into a fresh temporary root with a
/// sentinel directory beside it and a symlink inside pointing at it.
/// Invariants: extraction never traps; every entry name (and hard-link target) resolves through
/// `ExtractState.clean` to nil or a relative path whose components, byte by byte, are never empty, `.` or `..`;
/// after each entry written, the real path of the deepest existing directory above it lies inside the root; when
/// the stream ends (or is refused) the sentinel and the scratch directory hold exactly what they held.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTarNames(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let input = Data(UnsafeBufferPointer(start: start, count: count))
    _ = Scratch.realRoot  // the first call prepares the scratch directory
    Scratch.reset()
    guard FileManager.default.createFile(atPath: Scratch.input, contents: input) else { Scratch.setupFailed(Scratch.input) }
    let mode: WhiteoutMode = count > 0 && start[count - 1] & 1 == 1 ? .overlay : .apply
    extract(mode: mode)
    Scratch.checkOutside()
    return 0
}

private func extract(mode: WhiteoutMode) {
    guard let reader = try? TarReader(path: Scratch.input, compression: .none),
        let disk = try? DiskWriter(label: reader.label)
    else { return }
    var state = ExtractState(root: Scratch.realRoot, label: reader.label, mode: mode, disk: disk)
    while true {
        let entry: OpaquePointer
        do {
            guard let next = try reader.nextRaw() else { break }
            entry = next
        } catch {
            break
        }
        let name = archive_entry_pathname(entry).map { String(cString: $0) } ?? ""
        let link = archive_entry_hardlink(entry).map { String(cString: $0) }
        let resolved = checkClean(name, state)
        if let link { _ = checkClean(link, state) }
        do {
            try state.apply(entry, reader: reader)
        } catch {
            break  // refused: nothing may have changed outside, which `checkOutside` sees
        }
        checkInside(resolved, name)
    }
    try? disk.close()
}

/// `clean` of an entry name: nil, a refusal, or a relative path without empty, `.` or `..` components.
private func checkClean(_ name: String, _ state: ExtractState) -> String? {
    guard let relative = try? state.clean(name) else { return nil }
    let parts = relative.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
    if parts.contains(where: { $0.isEmpty || $0.elementsEqual(".".utf8) || $0.elementsEqual("..".utf8) }) {
        fail("entry name \(quoted(name)) resolves to \(quoted(relative))")
    }
    return relative
}

/// After an entry was written: the deepest existing directory above `root/relative` really lies inside the root.
private func checkInside(_ relative: String?, _ name: String) {
    guard let relative else { return }
    var path = Scratch.realRoot + "/" + relative
    while true {
        path = (path as NSString).deletingLastPathComponent
        guard let real = realpath(path, nil) else {
            if errno == ENOENT || errno == ENOTDIR { continue }
            return  // ENAMETOOLONG, ELOOP: nothing could have been written there either
        }
        let resolved = String(cString: real)
        free(real)
        if resolved != Scratch.realRoot && !resolved.hasPrefix(Scratch.realRoot + "/") {
            fail("entry \(quoted(name)) (resolved \(quoted(relative))) reaches \(resolved), outside the root")
        }
        return
    }
}

/// /dev/shm/berth-fuzz-tar-<pid>/{input.tar, outside/sentinel, up1/up2/root/}; root/escape is a symlink to
/// ../../../outside. An entry that escapes by up to three levels shows in a listing, a deeper one in `checkInside`.
private enum Scratch {
    static let base = "/dev/shm/berth-fuzz-tar-\(getpid())"
    static let input = base + "/input.tar"
    static let root = base + "/up1/up2/root"
    static let outside = base + "/outside"
    static let sentinel = outside + "/sentinel"
    static let realRoot: String = {
        atexit { try? FileManager.default.removeItem(atPath: Scratch.base) }
        reset()
        guard let real = realpath(root, nil) else { setupFailed(root) }
        defer { free(real) }
        return String(cString: real)
    }()

    static func reset() {
        // Run as root (extraction sets owners), so modes the layer set cannot stop the removal.
        try? FileManager.default.removeItem(atPath: base)
        guard mkdir(base, 0o700) == 0, mkdir(base + "/up1", 0o755) == 0, mkdir(base + "/up1/up2", 0o755) == 0,
            mkdir(root, 0o755) == 0, mkdir(outside, 0o755) == 0,
            FileManager.default.createFile(atPath: sentinel, contents: Data("sentinel".utf8)),
            symlink("../../../outside", root + "/escape") == 0
        else { setupFailed(base) }
    }

    static func checkOutside() {
        let expected: [(String, [String])] = [
            (base, ["input.tar", "outside", "up1"]), (base + "/up1", ["up2"]),
            (base + "/up1/up2", ["root"]), (outside, ["sentinel"]),
        ]
        for (directory, names) in expected {
            let found = (try? FileManager.default.contentsOfDirectory(atPath: directory).sorted()) ?? []
            if found != names { fail("the extraction changed \(directory), outside the root: it holds \(found)") }
        }
        if FileManager.default.contents(atPath: sentinel) != Data("sentinel".utf8) {
            fail("the extraction changed \(sentinel), outside the root")
        }
    }

    static func setupFailed(_ path: String) -> Never {
        FileHandle.standardError.write(Data("FuzzTarNames: cannot prepare \(path): \(String(cString: strerror(errno)))\n".utf8))
        exit(2)
    }
}

private func quoted(_ text: String) -> String { "\"" + text.unicodeScalars.map { $0.escaped(asASCII: true) }.joined() + "\"" }

private func fail(_ what: String) -> Never {
    FileHandle.standardError.write(Data("FuzzTarNames invariant violated: \(what)\n".utf8))
    abort()
}
