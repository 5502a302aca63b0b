import Diagnostics
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A directory tree Berth could not remove.
public struct TreeRemovalError: BerthError {
    public var path: String
    public var reason: String
    public var category: ErrorCategory { .runtime }
    public var code: String { "remove-failed" }
    public var message: String { "cannot remove \(path): \(reason)" }
}

/// Removing what Berth made, and nothing else: the path must be inside the root (`PathGuard`), and no
/// file system may be mounted below it (a rootfs or a bind mount left by a crash), since deleting through
/// a mount point deletes the mounted files. Mounts found below are detached first; if one stays, the
/// removal is refused.
public enum TreeRemoval {
    public static func remove(_ path: String, inside root: String) throws {
        let target = try PathGuard.check(path, inside: root, operation: "remove")
        var st = stat()
        guard lstat(target, &st) == 0 else { return }
        for mount in MountTable.mountPoints(under: target).sorted(by: { $0.count > $1.count }) {
            _ = umount2(mount, Int32(MNT_DETACH))
        }
        if let left = MountTable.mountPoints(under: target).first {
            throw TreeRemovalError(path: target, reason: "\(left) is still mounted")
        }
        do {
            try FileManager.default.removeItem(atPath: target)
        } catch {
            throw TreeRemovalError(path: target, reason: SystemErrorText.of(error))
        }
    }
}

/// The mount points of this process's mount namespace, from /proc/self/mountinfo.
public enum MountTable {
    /// Mount points equal to `path` or below it.
    public static func mountPoints(under path: String) -> [String] {
        guard let text = snapshot() else { return [] }
        return text.split(separator: "\n").compactMap { line -> String? in
            let fields = line.split(separator: " ", omittingEmptySubsequences: false)
            guard fields.count > 4 else { return nil }
            let point = unescape(fields[4])
            return point == path || point.hasPrefix(path + "/") ? point : nil
        }
    }

    /// /proc/self/mountinfo read whole, twice in a row until two reads agree: the kernel hands the table out a
    /// page per `read`, each under the mount lock, so one pass while mounts change elsewhere (a parallel
    /// apply) can miss a mount that moved between pages. Nil when it cannot be read or never settles.
    static func snapshot() -> String? {
        var previous = readWhole()
        for _ in 0..<8 {
            guard let last = previous else { return nil }
            let again = readWhole()
            if again == last { return last }
            previous = again
        }
        return nil
    }

    private static func readWhole() -> String? {
        let fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { return nil }
            if count == 0 { return String(decoding: bytes, as: UTF8.self) }
            bytes += chunk[..<count]
        }
    }

    /// `\040`-style octal escapes of mountinfo undone.
    static func unescape(_ field: Substring) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(field.utf8)[...]
        while let byte = utf8.first {
            if byte == UInt8(ascii: "\\"), utf8.count >= 4,
                let value = UInt8(String(decoding: utf8.dropFirst().prefix(3), as: UTF8.self), radix: 8)
            {
                bytes.append(value)
                utf8 = utf8.dropFirst(4)
            } else {
                bytes.append(byte)
                utf8 = utf8.dropFirst()
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Plain words for a system error: the errno text inside a Foundation file error ("Permission denied")
/// rather than "The operation could not be completed" or a dictionary dump.
public enum SystemErrorText {
    public static func of(_ error: any Error) -> String {
        if let error = error as? SystemCallError { return String(cString: strerror(error.errno)) }
        let ns = error as NSError
        if let posix = ns.userInfo[NSUnderlyingErrorKey] as? NSError, posix.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(posix.code)))
        }
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        if let error = error as? any BerthError { return error.description }
        return ns.localizedDescription
    }

    /// The text of the current `errno`.
    public static var errno: String { String(cString: strerror(Glibc.errno)) }
}
