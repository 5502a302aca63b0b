import Foundation

extension ValueRules {
    /// Namespaced sysctls a container may set: the IPC ones (`kernel.shm*`, `kernel.msg*`, `kernel.sem`,
    /// `fs.mqueue.*`) and the network ones (`net.*`). Others would change the whole host.
    static let sysctlPrefixes = ["kernel.shm", "kernel.msg", "fs.mqueue.", "net."]

    /// Why `name=value` cannot be a container sysctl, or nil: dotted segments of letters, digits, `_` and `-`
    /// (no `/`, no `..`), namespaced, and a value on one line.
    static func sysctlProblem(_ name: String, value: String) -> String? {
        let segments = name.split(separator: ".", omittingEmptySubsequences: false)
        guard segments.count >= 2,
            segments.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") } })
        else {
            return "a name is dotted segments of letters, digits, `_` and `-` (such as net.ipv4.ip_forward)"
        }
        guard name == "kernel.sem" || sysctlPrefixes.contains(where: { name.hasPrefix($0) }) else {
            return
                "only namespaced sysctls can be set in a container (kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.*, net.*); this one would change the host"
        }
        if value.contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\0" }) { return "the value must be one line" }
        return nil
    }

    /// An absolute path without `.`, `..`, empty components or a trailing slash.
    static func isCleanAbsolute(_ path: String) -> Bool {
        path.hasPrefix("/") && !path.contains("\0") && clean(path) == path
    }
}
