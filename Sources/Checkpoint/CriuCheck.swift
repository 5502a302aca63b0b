import BerthSystem
import Foundation

/// Whether CRIU can checkpoint processes on this machine, as `criu check` says.
public struct CriuStatus: Hashable, Sendable {
    public var usable: Bool
    /// CRIU's own output (stderr, then stdout), trimmed; empty when it ran cleanly or is missing.
    public var output: String
    /// One line for the user: what works and what to do instead.
    public var message: String

    public init(usable: Bool, output: String, message: String) {
        self.usable = usable
        self.output = output
        self.message = message
    }
}

/// Runs `criu check`. A child process of its own: this is not the OCI runtime.
public enum CriuCheck {
    /// Runs `criu check` (found on PATH unless `executable` is given) and explains the result.
    public static func run(executable: String? = nil) -> CriuStatus {
        guard let path = executable ?? locate("criu"), FileManager.default.isExecutableFile(atPath: path) else {
            return CriuStatus(
                usable: false, output: "",
                message: "criu is not installed, so process state cannot be "
                    + "checkpointed; install the criu package, or checkpoint with --no-process and use "
                    + "`restore: filesystem`")
        }
        let (status, stdout, stderr) = execute(path, ["check"])
        let output = (stderr + "\n" + stdout).trimmingCharacters(in: .whitespacesAndNewlines)
        return interpret(status: status, output: output)
    }

    /// The verdict for an exit status and output (separate so the wording is tested on fixed text too).
    static func interpret(status: Int32, output: String) -> CriuStatus {
        if status == 0 {
            return CriuStatus(usable: true, output: output, message: "criu check passed: process checkpoints are possible")
        }
        if output.contains("vdso") || output.contains("vDSO") {
            return CriuStatus(
                usable: false, output: output,
                message: "this kernel's CRIU cannot checkpoint processes "
                    + "(criu check fails on the vDSO: \(firstErrorLine(output))); checkpoint with "
                    + "--no-process and restore with `restore: filesystem`")
        }
        return CriuStatus(
            usable: false, output: output,
            message: "criu check failed (\(firstErrorLine(output))), so "
                + "process state cannot be checkpointed; checkpoint with --no-process and use `restore: filesystem`")
    }

    static func firstErrorLine(_ output: String) -> String {
        let lines = output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        return lines.first { $0.localizedCaseInsensitiveContains("error") } ?? lines.first ?? "exit status non-zero"
    }

    static func locate(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        for dir in path.split(separator: ":") + ["/usr/sbin", "/sbin"] {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Runs a program (`Command`: stdout and stderr read apart while it runs, so a full pipe never blocks it).
    static func execute(_ path: String, _ arguments: [String]) -> (Int32, String, String) {
        do {
            let output = try Command(path, arguments).run()
            return (output.status, output.stdoutText, output.stderrText)
        } catch {
            return (-1, "", "cannot run \(path): \(error)")
        }
    }
}
