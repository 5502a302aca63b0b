import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The cgroup of a container's process, found from `/proc/PID/cgroup` and the cgroup mounts in
/// `/proc/self/mountinfo`: one directory on a unified (v2) host, one per controller on a v1 or hybrid host.
/// Read for `berth top` (its processes) and `berth stats` (CPU, memory, pids).
public struct Cgroup: Sendable, Equatable {
    /// The v2 directory when the host's controllers are on the unified hierarchy.
    public var unified: String?
    /// v1: each controller (`memory`, `cpuacct`, `pids`, `name=systemd`) and its directory.
    public var controllers: [String: String]

    public init(unified: String? = nil, controllers: [String: String] = [:]) {
        self.unified = unified
        self.controllers = controllers
    }

    /// A cgroup mount: its filesystem root (`/` unless a namespace or bind narrows it), where it is mounted,
    /// and for v1 the controllers it carries.
    public struct Mount: Sendable, Equatable {
        public var root: String
        public var mountPoint: String
        /// v1: the super options, which include its controllers; empty for cgroup2.
        public var controllers: [String]
        public var isUnified: Bool
    }

    /// The cgroup of process `pid`; nil when it has ended or its cgroup files cannot be read.
    public static func of(pid: Int32, proc: String = "/proc") -> Cgroup? {
        guard let membership = try? String(contentsOfFile: "\(proc)/\(pid)/cgroup", encoding: .utf8),
            let mountinfo = try? String(contentsOfFile: "\(proc)/self/mountinfo", encoding: .utf8)
        else { return nil }
        return resolve(membership: membership, mounts: mounts(mountinfo: mountinfo))
    }

    /// The cgroup mounts listed in `/proc/self/mountinfo` text.
    public static func mounts(mountinfo: String) -> [Mount] {
        mountinfo.split(separator: "\n").compactMap { line in
            let halves = line.components(separatedBy: " - ")
            guard halves.count == 2 else { return nil }
            let left = halves[0].split(separator: " ").map(String.init)
            let right = halves[1].split(separator: " ").map(String.init)
            guard left.count >= 5, right.count >= 3 else { return nil }
            let root = unescape(left[3]), mountPoint = unescape(left[4])
            switch right[0] {
            case "cgroup2": return Mount(root: root, mountPoint: mountPoint, controllers: [], isUnified: true)
            case "cgroup":
                // The super options: the controllers (`memory`, `name=systemd`) among flags such as `rw` or `xattr`.
                let options = right[2].split(separator: ",").map(String.init).filter { $0 != "rw" && $0 != "ro" }
                return Mount(root: root, mountPoint: mountPoint, controllers: options, isUnified: false)
            default: return nil
            }
        }
    }

    /// The directories of a process's cgroup from its `/proc/PID/cgroup` lines (`ID:controllers:path`).
    /// The v1 controllers' directories when the process is in any (a v1 or hybrid host: the hybrid `0::` line
    /// then holds no controller), else the unified directory (a v2 host).
    public static func resolve(membership: String, mounts: [Mount]) -> Cgroup? {
        var cgroup = Cgroup()
        var unifiedPath: String?
        for line in membership.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 3 else { continue }
            if fields[1].isEmpty {
                unifiedPath = fields[2]
                continue
            }
            let names = fields[1].split(separator: ",").map(String.init)
            guard let mount = mounts.first(where: { !$0.isUnified && Set(names).isSubset(of: $0.controllers) }),
                let directory = join(mount, fields[2])
            else { continue }
            for name in names { cgroup.controllers[name] = directory }
        }
        let v1Controllers = cgroup.controllers.keys.filter { !$0.hasPrefix("name=") }
        if v1Controllers.isEmpty, let path = unifiedPath, let mount = mounts.first(where: \.isUnified),
            let directory = join(mount, path)
        {
            return Cgroup(unified: directory)
        }
        return cgroup.controllers.isEmpty ? nil : cgroup
    }

    /// Removes the cgroup `path` (`/berth/<root id>/<project>`) from every cgroup hierarchy where it exists
    /// and is empty: no process and no child cgroup (the kernel refuses `rmdir` otherwise, and then it stays).
    /// The runtime removes a container's own cgroup when the container is deleted, never the parents it
    /// made, which would otherwise pile up with every project. Returns the directories removed.
    @discardableResult
    public static func removeEmpty(_ path: String, mountinfo: String? = nil) -> [String] {
        let components = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        guard path.hasPrefix("/"), !components.isEmpty, !components.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }),
            let text = mountinfo ?? (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8))
        else { return [] }
        var removed: [String] = []
        for mount in mounts(mountinfo: text) {
            guard let directory = join(mount, path), directory != mount.mountPoint else { continue }
            if rmdir(directory) == 0 { removed.append(directory) }
        }
        return removed.sorted()
    }

    /// The pids in the cgroup (`cgroup.procs`), ascending.
    public func processes() -> [Int32] {
        let directory = unified ?? controllers["pids"] ?? controllers["memory"] ?? controllers["cpuacct"] ?? controllers.values.sorted().first
        guard let directory, let text = try? String(contentsOfFile: directory + "/cgroup.procs", encoding: .utf8) else { return [] }
        return text.split(whereSeparator: \.isNewline).compactMap { Int32($0) }.sorted()
    }

    /// One reading of the cgroup's counters.
    public struct Sample: Sendable, Equatable {
        /// CPU time used by every process of the cgroup so far, in nanoseconds.
        public var cpuNanoseconds: UInt64?
        /// Memory in use, less the inactive page cache (as `docker stats` counts it), in bytes.
        public var memoryBytes: UInt64?
        /// The memory limit in bytes; nil when there is none.
        public var memoryLimit: UInt64?
        public var pids: UInt64?

        public init(cpuNanoseconds: UInt64?, memoryBytes: UInt64?, memoryLimit: UInt64?, pids: UInt64?) {
            self.cpuNanoseconds = cpuNanoseconds
            self.memoryBytes = memoryBytes
            self.memoryLimit = memoryLimit
            self.pids = pids
        }
    }

    public func sample() -> Sample {
        if let unified {
            let cpu = Self.keyed(Self.read(unified + "/cpu.stat"))["usage_usec"].map { $0 * 1000 }
            let inactive = Self.keyed(Self.read(unified + "/memory.stat"))["inactive_file"] ?? 0
            let current = Self.number(Self.read(unified + "/memory.current"))
            return Sample(
                cpuNanoseconds: cpu, memoryBytes: current.map { $0 - min($0, inactive) },
                memoryLimit: Self.number(Self.read(unified + "/memory.max")), pids: Self.number(Self.read(unified + "/pids.current")))
        }
        let cpu = controllers["cpuacct"].flatMap { Self.number(Self.read($0 + "/cpuacct.usage")) }
        var memory: UInt64?, limit: UInt64?
        if let directory = controllers["memory"] {
            let inactive = Self.keyed(Self.read(directory + "/memory.stat"))["total_inactive_file"] ?? 0
            memory = Self.number(Self.read(directory + "/memory.usage_in_bytes")).map { $0 - min($0, inactive) }
            // v1 writes "no limit" as the largest page-aligned value.
            limit = Self.number(Self.read(directory + "/memory.limit_in_bytes")).flatMap { $0 >= (1 << 62) ? nil : $0 }
        }
        let pids = controllers["pids"].flatMap { Self.number(Self.read($0 + "/pids.current")) }
        return Sample(cpuNanoseconds: cpu, memoryBytes: memory, memoryLimit: limit, pids: pids)
    }

    /// The host's memory (`MemTotal` of /proc/meminfo) in bytes: the limit of a container without one.
    public static func hostMemory(meminfo: String = "/proc/meminfo") -> UInt64? {
        guard let text = read(meminfo) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("MemTotal:") {
            let fields = line.split(separator: " ")
            if fields.count >= 2, let kib = UInt64(fields[1]) { return kib * 1024 }
        }
        return nil
    }

    /// `path` inside `mount` when it lies under the mount's root; nil otherwise (another namespace's cgroup).
    static func join(_ mount: Mount, _ path: String) -> String? {
        var relative = path
        if mount.root != "/" {
            guard path == mount.root || path.hasPrefix(mount.root + "/") else { return nil }
            relative = String(path.dropFirst(mount.root.count))
        }
        guard !relative.split(separator: "/").contains("..") else { return nil }
        return relative.isEmpty || relative == "/" ? mount.mountPoint : mount.mountPoint + relative
    }

    /// mountinfo escapes spaces, tabs, newlines and backslashes as octal.
    static func unescape(_ text: String) -> String {
        guard text.contains("\\") else { return text }
        var out = ""
        var rest = Substring(text)
        while let slash = rest.firstIndex(of: "\\") {
            out += rest[..<slash]
            let code = rest[rest.index(after: slash)...].prefix(3)
            if code.count == 3, let value = UInt8(code, radix: 8) {
                out.unicodeScalars.append(Unicode.Scalar(value))
                rest = rest[rest.index(slash, offsetBy: 4)...]
            } else {
                out += "\\"
                rest = rest[rest.index(after: slash)...]
            }
        }
        return out + rest
    }

    static func read(_ path: String) -> String? {
        try? String(contentsOfFile: path, encoding: .utf8)
    }

    static func number(_ text: String?) -> UInt64? {
        text.flatMap { UInt64($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// `key value` lines (`cpu.stat`, `memory.stat`).
    static func keyed(_ text: String?) -> [String: UInt64] {
        var values: [String: UInt64] = [:]
        for line in (text ?? "").split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count == 2, let value = UInt64(fields[1]) { values[String(fields[0])] = value }
        }
        return values
    }
}
