import Diagnostics
import Foundation
import OCI

#if canImport(Glibc)
import Glibc
#endif

extension HostValidator {
    /// A `seccomp` profile file that is missing or not JSON, and `devices` that are not device nodes here.
    static func kernelOptionProblems(_ c: ContainerDefinition) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        if case .profile(let path)? = c.kernel.seccomp, !c.privileged, case .failure(let problem) = SeccompProfileFile.load(path: path) {
            problems.append(ManifestDiagnostics.unreadableSeccomp(path, reason: problem.reason, at: c.locations["seccomp"]))
        }
        for (i, device) in c.kernel.devices.enumerated() {
            var info = stat()
            let kind = lstat(device.hostPath, &info) == 0 ? info.st_mode & S_IFMT : 0
            if kind != S_IFCHR, kind != S_IFBLK {
                problems.append(ManifestDiagnostics.missingDevice(device.hostPath, at: c.locations["devices[\(i)]"]))
            }
        }
        // /proc is read only for a container that sets what it checks (every plan runs this).
        guard !c.kernel.ulimits.isEmpty || c.kernel.oomScoreAdj != nil else { return problems }
        let canRaise = hasCapability(24)
        problems += ulimitProblems(c, canRaiseHardLimits: canRaise, hardLimit: currentHardLimit)
        if c.kernel.oomScoreAdj != nil, let problem = oomScoreProblem(c, canLower: canRaise, current: currentOOMScoreAdj()) {
            problems.append(problem)
        }
        return problems
    }

    /// An `oom-score-adj` below Berth's own, which the kernel refuses without CAP_SYS_RESOURCE (runc then
    /// fails at start with an obscure message).
    static func oomScoreProblem(_ c: ContainerDefinition, canLower: Bool, current: Int?) -> Diagnostic? {
        guard !canLower, let score = c.kernel.oomScoreAdj, let current, score < current else { return nil }
        return ManifestDiagnostics.oomScoreBelowHost(score, host: current, at: c.locations["oom-score-adj"])
    }

    static func currentOOMScoreAdj() -> Int? {
        (try? String(contentsOfFile: "/proc/self/oom_score_adj", encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// A hard ulimit above this process's own, which runc cannot set without CAP_SYS_RESOURCE (it fails at
    /// start with EPERM): caught at plan time with the field's location.
    static func ulimitProblems(
        _ c: ContainerDefinition, canRaiseHardLimits: Bool, hardLimit: (String) -> UInt64?
    ) -> [Diagnostic] {
        guard !canRaiseHardLimits else { return [] }
        return c.kernel.ulimits.compactMap { limit in
            guard let current = hardLimit(limit.name), limit.hard > current else { return nil }
            return ManifestDiagnostics.ulimitAboveHost(limit.name, limit.hard, host: current, at: c.locations["ulimits.\(limit.name)"])
        }
    }

    /// Linux's resource numbers for docker's ulimit names.
    static func currentHardLimit(_ name: String) -> UInt64? {
        guard let resource = Ulimit.resources[name] else { return nil }
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(UInt32(resource)), &limit) == 0 else { return nil }
        return UInt64(limit.rlim_max)
    }

    /// Whether this process has capability number `bit` in its effective set (/proc/self/status `CapEff`).
    static func hasCapability(_ bit: UInt64) -> Bool {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("CapEff:") }),
            let mask = UInt64(line.dropFirst("CapEff:".count).trimmingCharacters(in: .whitespaces), radix: 16)
        else { return true }
        return mask & (1 << bit) != 0
    }
}
