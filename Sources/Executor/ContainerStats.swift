import Foundation
import Runtime

/// One line of `berth stats`: a container's resource use between two readings of its cgroup.
public struct ContainerStats: Codable, Sendable, Equatable {
    public var name: String
    /// CPU time used per wall-clock time, in percent of one CPU (200 is two CPUs busy); nil before the
    /// second reading or when the cgroup has no CPU accounting.
    public var cpuPercent: Double?
    public var memoryBytes: UInt64?
    /// The container's memory limit, else the host's memory.
    public var memoryLimitBytes: UInt64?
    public var memoryPercent: Double?
    public var pids: UInt64?

    public init(
        name: String, cpuPercent: Double? = nil, memoryBytes: UInt64? = nil, memoryLimitBytes: UInt64? = nil,
        memoryPercent: Double? = nil, pids: UInt64? = nil
    ) {
        self.name = name
        self.cpuPercent = cpuPercent
        self.memoryBytes = memoryBytes
        self.memoryLimitBytes = memoryLimitBytes
        self.memoryPercent = memoryPercent
        self.pids = pids
    }

    /// The figures from `current`, with CPU from the change since `previous` over `seconds` of wall time.
    public static func compute(
        name: String, previous: Cgroup.Sample?, current: Cgroup.Sample, seconds: Double, hostMemory: UInt64?
    ) -> ContainerStats {
        var cpu: Double?
        if let before = previous?.cpuNanoseconds, let now = current.cpuNanoseconds, seconds > 0 {
            let used = now >= before ? Double(now - before) : 0
            cpu = used / (seconds * 1e9) * 100
        }
        let limit = current.memoryLimit ?? hostMemory
        var percent: Double?
        if let memory = current.memoryBytes, let limit, limit > 0 { percent = Double(memory) / Double(limit) * 100 }
        return ContainerStats(
            name: name, cpuPercent: cpu, memoryBytes: current.memoryBytes, memoryLimitBytes: limit, memoryPercent: percent,
            pids: current.pids)
    }

    /// Bytes as `docker stats` prints them: `1.5MiB`, `512KiB`, `0B`.
    public static func humanBytes(_ bytes: UInt64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(bytes)B" }
        let rounded = (value * 100).rounded() / 100
        var text = String(format: "%.2f", rounded)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text + units[unit]
    }
}
