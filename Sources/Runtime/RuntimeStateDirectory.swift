import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension RuntimeDriver {
    /// The ids of the containers under the runtime root `root`, read from the runtime's own state directory instead of starting
    /// the runtime (`list` costs a process start): runc keeps `<root>/<id>/state.json`, crun `<root>/<id>/status`.
    /// Empty when `root` does not exist; nil when an entry is neither (a container being created, another
    /// runtime's layout): then only `list` can say.
    public static func containerIDs(inStateDirectory root: String) -> Set<String>? {
        guard let directory = opendir(root) else { return errno == ENOENT ? [] : nil }
        defer { closedir(directory) }
        var ids: Set<String> = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
                String(decoding: bytes.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            var info = stat()
            // As `runc list`: only directories (not symlinks to them) are containers.
            guard lstat(root + "/" + name, &info) == 0 else { return nil }
            guard info.st_mode & S_IFMT == S_IFDIR else { continue }
            let path = root + "/" + name
            guard access(path + "/state.json", F_OK) == 0 || access(path + "/status", F_OK) == 0 else { return nil }
            ids.insert(name)
        }
        return ids
    }
}
