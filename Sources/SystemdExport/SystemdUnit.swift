import Foundation
import BerthSystem

/// A systemd service that brings a Berth project up at boot and down at shutdown, as podman's generated
/// units do for pods: `Type=oneshot` with `RemainAfterExit=yes`, `berth apply` to start and `berth down` to
/// stop (the containers' monitors outlive the `apply` process, so systemd must not wait on it).
public struct SystemdUnit: Sendable, Equatable {
    /// The project's name (validated by `Names` before it reaches here).
    public var project: String
    /// The manifest's absolute path.
    public var manifestPath: String
    /// Compose files merged over the manifest (several `-f`), absolute, in order.
    public var overrides: [String]
    /// Compose profiles enabled (`--profile`).
    public var profiles: [String]
    /// The `berth` executable's absolute path.
    public var executable: String
    /// The state root's absolute path.
    public var stateRoot: String

    public init(
        project: String, manifestPath: String, overrides: [String] = [], profiles: [String] = [], executable: String, stateRoot: String
    ) {
        self.project = project
        self.manifestPath = manifestPath
        self.overrides = overrides
        self.profiles = profiles
        self.executable = executable
        self.stateRoot = stateRoot
    }

    /// `berth-<project>.service`.
    public var fileName: String { "berth-\(project).service" }

    /// The unit file's text: deterministic, no timestamps.
    public var text: String {
        let directory = manifestPath.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        let files = ([manifestPath] + overrides).flatMap { ["-f", $0] }
        let common = ["--state-root", stateRoot] + files + profiles.flatMap { ["--profile", $0] } + ["-p", project]
        let start = Self.commandLine([executable, "apply"] + common)
        let stop = Self.commandLine([executable, "down"] + common)
        return """
            # Written by `berth export systemd -p \(project)`: write it again rather than edit it.
            [Unit]
            Description=Berth project \(Self.escapeSpecifiers(project))
            Wants=network-online.target
            After=network-online.target
            RequiresMountsFor=\(Self.quote(stateRoot)) \(Self.quote(directory.isEmpty ? "/" : directory))

            [Service]
            Type=oneshot
            RemainAfterExit=yes
            WorkingDirectory=\(Self.quote(directory.isEmpty ? "/" : directory))
            ExecStart=\(start)
            ExecStop=\(stop)
            TimeoutStartSec=600
            TimeoutStopSec=300

            [Install]
            WantedBy=multi-user.target

            """
    }

    /// Words of a command line as systemd reads `ExecStart=`: each in double quotes when it needs them,
    /// `\` and `"` escaped, `%` and `$` doubled (systemd would expand them).
    static func commandLine(_ words: [String]) -> String {
        words.map(quote).joined(separator: " ")
    }

    static func quote(_ word: String) -> String {
        var escaped = ""
        for character in word {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "%": escaped += "%%"
            case "$": escaped += "$$"
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        let plain = !word.isEmpty && word.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "/._-+:=@,".contains($0)) }
        return plain ? escaped : "\"\(escaped)\""
    }

    static func escapeSpecifiers(_ text: String) -> String {
        text.replacingOccurrences(of: "%", with: "%%")
    }
}
