import Diagnostics
import BerthSystem
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Plan-time checks of a validated manifest against this host: bind sources, namespace files, env-files,
/// rootfs/config paths, the runtime binary and published ports something on the host already listens on. Each problem points at the manifest field that caused it.
public struct HostValidator {
    /// All host problems of `manifest`, sorted by position.
    public static func check(_ manifest: ProjectManifest) -> [Diagnostic] {
        check(manifest, searchPath: EnvironmentVariable.value("PATH") ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
    }

    static func check(_ manifest: ProjectManifest, searchPath: String) -> [Diagnostic] {
        let bound = manifest.containers.contains { !$0.ports.isEmpty } ? boundSockets() : []
        return manifest.containers.flatMap { check($0, searchPath: searchPath) + portProblems($0, bound: bound) }.sortedByPosition()
    }

    static func check(_ c: ContainerDefinition, searchPath: String) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        let fm = FileManager.default
        for (i, mount) in c.mounts.enumerated() where mount.type == "bind" {
            if let source = mount.source, !fm.fileExists(atPath: source) {
                problems.append(ManifestDiagnostics.missingHostPath("mounts", source, at: c.locations["mounts[\(i)]"]))
            }
        }
        for (i, join) in c.withNamespaces.enumerated() {
            if case .path(let path) = join.target,
                let problem = namespaceProblem(path: path, type: join.type.rawValue, at: c.locations["with-ns[\(i)]"])
            {
                problems.append(problem)
            }
        }
        for (i, file) in c.envFiles.enumerated() {
            problems += envFileProblems(file, at: c.locations["env-files[\(i)]"])
        }
        for (field, path) in [("rootfs", c.rootfs), ("config", c.config)] {
            guard let path else { continue }
            var isDirectory: ObjCBool = false
            if !fm.fileExists(atPath: path, isDirectory: &isDirectory) {
                problems.append(ManifestDiagnostics.missingHostPath(field, path, at: c.locations[field]))
            } else if field == "rootfs", !isDirectory.boolValue {
                problems.append(ManifestDiagnostics.notADirectory(field, path, at: c.locations[field]))
            }
        }
        if let problem = runtimeProblem(c.runtime, searchPath: searchPath, at: c.locations["runtime"]) {
            problems.append(problem)
        }
        return problems + kernelOptionProblems(c)
    }

    private static func envFileProblems(_ file: String, at loc: SourceLocation?) -> [Diagnostic] {
        do {
            _ = try EnvFile.parse(path: file)
            return []
        } catch let error as DiagnosticsError {
            return error.diagnostics.map {
                ManifestDiagnostics.envFileProblem(file, line: $0.location?.line ?? 0, problem: $0.message, at: loc)
            }
        } catch {
            let reason = FileManager.default.fileExists(atPath: file) ? "it is not readable UTF-8 text" : "it does not exist"
            return [ManifestDiagnostics.unreadableFile("env-files", file, reason: reason, at: loc)]
        }
    }

    static func runtimeProblem(_ runtime: String, searchPath: String, at loc: SourceLocation?) -> Diagnostic? {
        let fm = FileManager.default
        if runtime.hasPrefix("/") {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: runtime, isDirectory: &isDirectory) else {
                return ManifestDiagnostics.missingHostPath("runtime", runtime, at: loc)
            }
            return !isDirectory.boolValue && fm.isExecutableFile(atPath: runtime)
                ? nil
                : ManifestDiagnostics.runtimeNotExecutable(runtime, at: loc)
        }
        let found = searchPath.split(separator: ":").contains { dir in
            let candidate = "\(dir)/\(runtime)"
            var isDirectory: ObjCBool = false
            return fm.fileExists(atPath: candidate, isDirectory: &isDirectory) && !isDirectory.boolValue
                && fm.isExecutableFile(atPath: candidate)
        }
        return found ? nil : ManifestDiagnostics.runtimeNotFound(runtime, at: loc)
    }

    static func namespaceProblem(path: String, type: String, at loc: SourceLocation?) -> Diagnostic? {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            return ManifestDiagnostics.missingHostPath("with-ns", path, at: loc)
        }
        switch NamespaceFile.type(atPath: path) {
        case .failure(let failure):
            return ManifestDiagnostics.unreadableFile("with-ns", path, reason: String(cString: strerror(failure.code)), at: loc)
        case .success(nil):
            return ManifestDiagnostics.notANamespace(path, at: loc)
        case .success(let actual?):
            return actual == type ? nil : ManifestDiagnostics.namespaceTypeMismatch(path, declared: type, actual: actual, at: loc)
        }
    }
}

/// Identifies namespace files (`/proc/PID/ns/*`, bind-mounted ones under /run/netns) by asking the kernel.
enum NamespaceFile {
    /// `NS_GET_NSTYPE` = `_IO(0xb7, 0x3)`.
    private static let nsGetNsType: UInt = 0xb703
    private static let cloneFlags: [(Int32, String)] = [
        (0x0002_0000, "mount"), (0x0200_0000, "cgroup"), (0x0400_0000, "uts"), (0x0800_0000, "ipc"),
        (0x1000_0000, "user"), (0x2000_0000, "pid"), (0x4000_0000, "network"), (0x0000_0080, "time"),
    ]

    /// The OCI type name of the namespace at `path`, nil when it is not a namespace file, or the errno of `open`.
    static func type(atPath path: String) -> Result<String?, Errno> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(Errno(code: errno)) }
        defer { close(fd) }
        let flag = ioctl(fd, nsGetNsType)
        guard flag >= 0 else { return .success(nil) }
        return .success(cloneFlags.first { $0.0 == flag }?.1)
    }

    struct Errno: Error, Equatable {
        var code: Int32
    }
}
