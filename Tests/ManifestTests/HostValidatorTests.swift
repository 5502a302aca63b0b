import BerthSystem
import Diagnostics
import Foundation
import Testing
@testable import Manifest

/// Host checks against the real filesystem and the kernel's namespace files.
@Suite struct HostValidatorTests {
    @Test func reportsEachHostProblemAtItsField() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        try dir.write("present/file.txt", "x")
        try dir.write("plain-file", "not a namespace")
        try dir.write("bad.env", "GOOD=1\n# comment\n\nBROKEN\n")
        try dir.write("rootfs-file", "")
        let text = """
            version: 1
            containers:
              web:
                image: berth.local/busybox:demo
                mounts:
                  - {type: bind, source: ./present, destination: /ok}
                  - {type: bind, source: ./absent, destination: /missing}
                  - {type: tmpfs, destination: /tmp}
                with-ns:
                  - network:/proc/self/ns/pid
                  - ipc:\(dir.path)/plain-file
                  - uts:\(dir.path)/no-such-ns
                  - pid:/proc/self/ns/pid
                env-files: [./bad.env, ./absent.env]
                runtime: crun
              dir:
                rootfs: ./rootfs-file
                config: ./absent.json
                runtime: \(dir.path)/plain-file
            """
        let manifest = try Support.load(text, directory: dir.path)
        let lines = HostValidator.check(manifest, searchPath: dir.path).map(\.description)
        #expect(
            lines == [
                "berth.yaml:7:9: error: `mounts` path `\(dir.path)/absent` does not exist on this host",
                "berth.yaml:10:9: error: `with-ns` path `/proc/self/ns/pid` is a pid namespace, not a network namespace",
                "berth.yaml:11:9: error: `with-ns` path `\(dir.path)/plain-file` is not a namespace file (expected e.g. /proc/PID/ns/net or /var/run/netns/NAME)",
                "berth.yaml:12:9: error: `with-ns` path `\(dir.path)/no-such-ns` does not exist on this host",
                "berth.yaml:14:17: error: env-file `\(dir.path)/bad.env` line 4: line `BROKEN` is not `KEY=VALUE`",
                "berth.yaml:14:28: error: cannot read `env-files` file `\(dir.path)/absent.env`: it does not exist",
                "berth.yaml:15:14: error: runtime `crun` was not found in PATH; install it or set `runtime` to an absolute path",
                "berth.yaml:17:13: error: `rootfs` path `\(dir.path)/rootfs-file` is not a directory",
                "berth.yaml:18:13: error: `config` path `\(dir.path)/absent.json` does not exist on this host",
                "berth.yaml:19:14: error: runtime `\(dir.path)/plain-file` is not an executable file",
            ])
    }

    @Test func aHealthyManifestHasNoHostProblems() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let runtime = try dir.write("bin/runc", "#!/bin/sh\n")
        #expect(chmod(runtime, 0o755) == 0)
        try dir.write("data/x", "x")
        try dir.write("app.env", "A=1\n")
        let text = """
            version: 1
            containers:
              web:
                image: berth.local/busybox:demo
                mounts: ["type=bind,src=./data,dst=/data"]
                with-ns: [network:/proc/self/ns/net, {type: mount, path: /proc/self/ns/mnt}, "user:/proc/self/ns/user"]
                env-files: [app.env]
              other:
                image: berth.local/busybox:demo
                runtime: \(runtime)
            """
        let manifest = try Support.load(text, directory: dir.path)
        #expect(HostValidator.check(manifest, searchPath: "/nonexistent:\(dir.path)/bin") == [])
    }

    struct NamespaceCase: Sendable, CustomTestStringConvertible {
        var path: String
        var type: String?
        var testDescription: String { path }
    }

    @Test(arguments: [
        NamespaceCase(path: "/proc/self/ns/net", type: "network"),
        NamespaceCase(path: "/proc/self/ns/mnt", type: "mount"),
        NamespaceCase(path: "/proc/self/ns/pid", type: "pid"),
        NamespaceCase(path: "/proc/self/ns/uts", type: "uts"),
        NamespaceCase(path: "/proc/self/ns/ipc", type: "ipc"),
        NamespaceCase(path: "/proc/self/ns/user", type: "user"),
        NamespaceCase(path: "/proc/self/ns/cgroup", type: "cgroup"),
        NamespaceCase(path: "/etc/hostname", type: nil),
        NamespaceCase(path: "/proc/self", type: nil),
    ])
    func identifiesNamespaceFiles(_ c: NamespaceCase) {
        #expect(NamespaceFile.type(atPath: c.path) == .success(c.type))
    }

    @Test func runcIsFoundInTheRealPath() {
        #expect(HostValidator.runtimeProblem("runc", searchPath: ProcessInfo.processInfo.environment["PATH"] ?? "", at: nil) == nil)
    }
}

@Suite struct HostPortTests {
    static let table = """
          sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
           0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1
           1: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1
           2: 0100007F:1F91 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 3 1
        """

    struct Case: Sendable, CustomTestStringConvertible {
        var published: String
        var refused: Bool
        var testDescription: String { published }
    }

    @Test(arguments: [
        Case(published: "8080:80", refused: true),  // every address includes 127.0.0.1
        Case(published: "127.0.0.1:8080:80", refused: true),
        Case(published: "10.0.0.1:8080:80", refused: false),  // another address than the listener's
        Case(published: "8080:80/udp", refused: false),  // another protocol
        Case(published: "127.0.0.2:80:80", refused: true),  // the listener on every address
        Case(published: "8081:80", refused: false),  // the established connection's port is not bound
        Case(published: "8080:80/sctp", refused: false),  // SCTP sockets are not looked up
    ])
    func publishedPortsThatAreTakenAreRefused(_ test: Case) throws {
        var container = ContainerDefinition(name: "web", image: "i")
        container.ports = [try #require(PortMapping(shortForm: test.published))]
        let bound = HostSockets.procTable(Self.table, tcp: true)
        let problems = HostValidator.portProblems(container, bound: bound)
        #expect(problems.isEmpty != test.refused, "\(problems.map(\.message))")
        if test.refused { #expect(problems.first?.message.contains("already in use on this host") == true) }
    }
}
