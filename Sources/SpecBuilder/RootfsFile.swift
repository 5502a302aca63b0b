import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Reads a file inside a rootfs the way containerd's `os.OpenRoot` does: every symlink is resolved
/// inside the rootfs (an absolute target or `..` never leaves it), and files over 10 MiB are refused.
struct RootfsFile {
    static let sizeLimit: Int64 = 10 << 20
    static let maxSymlinks = 40

    let root: String

    /// The host path of `path` inside the rootfs, or nil when some component does not exist.
    func resolve(_ path: String) throws -> String? {
        var pending = components(path)
        var resolved: [String] = []
        var links = 0
        while !pending.isEmpty {
            let part = pending.removeFirst()
            if part == ".." {
                _ = resolved.popLast()
                continue
            }
            let candidate = hostPath(resolved + [part])
            var info = stat()
            if lstat(candidate, &info) != 0 {
                if errno == ENOENT || errno == ENOTDIR { return nil }
                throw SpecError.unreadable(candidate, what: "path", cause: POSIXError(errno: errno))
            }
            if info.st_mode & S_IFMT == S_IFLNK {
                links += 1
                if links > Self.maxSymlinks {
                    throw SpecError.unreadable(hostPath([path]), what: "file (too many symlinks)")
                }
                let target = try readLink(candidate)
                if target.hasPrefix("/") { resolved = [] }
                pending = components(target) + pending
            } else {
                resolved.append(part)
            }
        }
        return hostPath(resolved)
    }

    /// The file's bytes, or nil when it does not exist.
    func read(_ path: String) throws -> Data? {
        guard let host = try resolve(path) else { return nil }
        let fd = open(host, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw SpecError.unreadable(host, what: "file", cause: POSIXError(errno: errno))
        }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw SpecError.unreadable(host, what: "file", cause: POSIXError(errno: errno))
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw SpecError.unreadable(host, what: "file (not a regular file)")
        }
        if Int64(info.st_size) > Self.sizeLimit {
            throw SpecError.fileTooLarge(host, size: Int64(info.st_size), limit: Self.sizeLimit)
        }
        do {
            let data = try handle.readToEnd() ?? Data()
            if Int64(data.count) > Self.sizeLimit {
                throw SpecError.fileTooLarge(host, size: Int64(data.count), limit: Self.sizeLimit)
            }
            return data
        } catch let error as SpecError {
            throw error
        } catch {
            throw SpecError.unreadable(host, what: "file", cause: error)
        }
    }

    /// The host path shown in messages for `path` inside the rootfs.
    func display(_ path: String) -> String { hostPath(components(path)) }

    private func components(_ path: String) -> [String] {
        path.split(separator: "/").map(String.init).filter { $0 != "." }
    }

    private func hostPath(_ parts: [String]) -> String {
        let base = root.hasSuffix("/") ? String(root.dropLast()) : root
        return parts.isEmpty ? (base.isEmpty ? "/" : base) : base + "/" + parts.joined(separator: "/")
    }

    private func readLink(_ path: String) throws -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink(path, &buffer, buffer.count - 1)
        guard n >= 0 else { throw SpecError.unreadable(path, what: "symlink", cause: POSIXError(errno: errno)) }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension POSIXError {
    init(errno code: Int32) {
        self.init(POSIXErrorCode(rawValue: code) ?? .EIO)
    }
}
