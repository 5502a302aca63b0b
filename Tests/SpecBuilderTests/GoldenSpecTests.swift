import Foundation
import Manifest
import OCI
import Testing

@testable import SpecBuilder

/// One option combination: the container, its image and peers, and either a golden file
/// (Golden/<name>.json) or the SpecError code it must fail with.
struct GoldenCase: CustomTestStringConvertible, Sendable {
    var name: String
    var container: ContainerDefinition
    var image: ImageConfiguration? = Fixtures.image()
    var peers: [String: Int32] = [:]
    /// Env-file name → contents, written to a temp dir and listed in `envFiles` in this order.
    var envFiles: [(String, String)] = []
    /// Contents of a `config` base spec file.
    var baseConfig: String?
    var errorCode: String?
    /// Text the error message must contain.
    var errorMentions: [String] = []

    var testDescription: String { name }
}

/// The ctr parity cases run without `--seccomp`, so they say `seccomp: unconfined`; the security cases
/// (`securityGoldenCases`) set what they test.
private func web(_ configure: (inout ContainerDefinition) -> Void = { _ in }) -> ContainerDefinition {
    var container = ContainerDefinition(name: "web", image: "docker.io/library/nginx:1")
    container.kernel.seccomp = .unconfined
    configure(&container)
    return container
}

private let rootfsContainer: ContainerDefinition = {
    var container = ContainerDefinition(name: "tool", args: ["/bin/sh"], rootfs: "/var/lib/berth-test/rootfs")
    container.kernel.seccomp = .unconfined
    return container
}()

private let baseConfigJSON = """
    {
      "ociVersion": "1.0.2",
      "process": {
        "user": {"uid": 5, "gid": 5},
        "args": ["/bin/file-cmd"],
        "env": ["PATH=/file/bin", "FROM_FILE=1", "LANG=file"],
        "cwd": "/file",
        "noNewPrivileges": false
      },
      "root": {"path": "/elsewhere/rootfs", "readonly": true},
      "hostname": "from-file",
      "mounts": [
        {"destination": "/proc", "type": "proc", "source": "proc"},
        {"destination": "/data", "type": "bind", "source": "/file/data", "options": ["rbind", "rw"]}
      ],
      "annotations": {"from.file": "yes", "shared": "file"},
      "linux": {
        "namespaces": [{"type": "pid"}, {"type": "mount"}],
        "cgroupsPath": "/file/cgroup",
        "sysctl": {"net.ipv4.ip_forward": "1"}
      }
    }
    """

let goldenCases: [GoldenCase] = [
    GoldenCase(name: "defaults-image", container: web()),
    GoldenCase(name: "defaults-rootfs", container: rootfsContainer, image: nil),
    GoldenCase(name: "image-without-env", container: web(), image: Fixtures.image(env: nil)),
    GoldenCase(name: "image-env-without-path", container: web(), image: Fixtures.image(env: ["LANG=C"])),
    GoldenCase(name: "image-defaults-no-workdir", container: web(), image: Fixtures.image(workingDir: nil)),
    GoldenCase(name: "args-replace-entrypoint-and-cmd", container: web { $0.args = ["/bin/echo", "hi"] }),
    GoldenCase(name: "cwd", container: web { $0.cwd = "/work" }),
    GoldenCase(name: "env-overrides-image", container: web { $0.env = ["LANG=en_US.UTF-8", "B=2", "PATH=/x"] }),
    GoldenCase(
        name: "env-file-env-and-image-env",
        container: web { $0.env = ["LANG=en", "B=2", "PATH=/x"] },
        envFiles: [("a.env", "# comment\nA=1\n\nFROM_FILE=file\n"), ("b.env", "FROM_FILE=second\nC=3\n")]),
    GoldenCase(name: "user-name", container: web { $0.user = "app" }),
    GoldenCase(name: "user-uid-gid", container: web { $0.user = "1000:50" }),
    GoldenCase(name: "user-uid-without-entry", container: web { $0.user = "4242" }),
    GoldenCase(name: "image-user", container: web(), image: Fixtures.image(user: "www")),
    GoldenCase(
        name: "user-overrides-image-user", container: web { $0.user = "app" },
        image: Fixtures.image(user: "nosuchuser")),
    GoldenCase(name: "user-name-group", container: web { $0.user = "app:staff" }),
    GoldenCase(name: "tty", container: web { $0.tty = true }),
    GoldenCase(
        name: "tty-and-env-term",
        container: web {
            $0.tty = true; $0.env = ["TERM=vt100"]
        }),
    GoldenCase(name: "readonly", container: web { $0.readonly = true }),
    GoldenCase(name: "hostname", container: web { $0.hostname = "berth-web" }),
    GoldenCase(
        name: "mount-bind",
        container: web {
            $0.mounts = [MountDefinition(type: "bind", source: "/srv/data", destination: "/data", options: ["ro", "rprivate"])]
        }),
    GoldenCase(
        name: "mount-tmpfs",
        container: web {
            $0.mounts = [MountDefinition(type: "tmpfs", destination: "/scratch", options: ["size=64m", "mode=1777"])]
        }),
    GoldenCase(
        name: "mount-replaces-dev-shm",
        container: web {
            $0.mounts = [
                MountDefinition(
                    type: "tmpfs", source: "shm", destination: "/dev/shm",
                    options: ["nosuid", "nodev", "size=1g"])
            ]
        }),
    GoldenCase(name: "net-host", container: web { $0.netHost = true }),
    GoldenCase(
        name: "with-ns-path",
        container: web {
            $0.withNamespaces = [NamespaceJoin(type: "network", target: .path("/run/netns/blue"))]
        }),
    GoldenCase(
        name: "with-ns-container",
        container: web {
            $0.withNamespaces = [
                NamespaceJoin(type: "network", target: .container("db")),
                NamespaceJoin(type: "mount", target: .container("db")),
                NamespaceJoin(type: "cgroup", target: .container("db")),
            ]
        }, peers: ["db": 4242]),
    GoldenCase(
        name: "with-ns-peer-not-running",
        container: web {
            $0.withNamespaces = [NamespaceJoin(type: "ipc", target: .container("db"))]
        }, peers: ["cache": 7], errorCode: "peer-not-running", errorMentions: ["\"db\"", "ipc"]),
    GoldenCase(name: "privileged", container: web { $0.privileged = true }),
    GoldenCase(
        name: "privileged-readonly",
        container: web {
            $0.privileged = true; $0.readonly = true
        }),
    GoldenCase(name: "memory-limit", container: web { $0.memoryLimit = 268_435_456 }),
    GoldenCase(name: "cpus", container: web { $0.cpus = 1.5 }),
    GoldenCase(name: "pids-limit", container: web { $0.pidsLimit = 64 }),
    GoldenCase(
        name: "labels", container: web { $0.labels = ["tier": "front", "org.opencontainers.image.title": "mine"] },
        image: Fixtures.image(
            labels: [
                "org.opencontainers.image.title": "nginx", "vendor": "acme",
                "containerd.io/gc.ref.content": "x", "io.cri-containerd.kind": "y",
            ],
            stopSignal: "SIGQUIT")),
    GoldenCase(
        name: "labels-rootfs",
        container: {
            var c = rootfsContainer
            c.labels = ["tier": "tools"]
            return c
        }(), image: nil),
    GoldenCase(
        name: "rootfs-with-user",
        container: {
            var c = rootfsContainer
            c.user = "app"
            return c
        }(), image: nil),
    GoldenCase(
        name: "config-base",
        container: web {
            $0.env = ["LANG=manifest"]
            $0.labels = ["shared": "manifest"]
            $0.mounts = [MountDefinition(type: "bind", source: "/srv/data", destination: "/data", options: ["ro"])]
        }, image: Fixtures.image(entrypoint: nil, cmd: nil, workingDir: nil), baseConfig: baseConfigJSON),
    GoldenCase(
        name: "config-base-unknown-field", container: web(),
        baseConfig: #"{"ociVersion": "1.0.2", "process": {"user": {"uid": 0, "gid": 0}, "cwd": "/", "scheduler": {"policy": "SCHED_OTHER"}}}"#,
        errorCode: "invalid-config", errorMentions: ["process.scheduler"]),
    GoldenCase(
        name: "no-command", container: web(), image: Fixtures.image(entrypoint: nil, cmd: nil),
        errorCode: "no-command", errorMentions: ["args"]),
    GoldenCase(
        name: "unknown-user", container: web { $0.user = "ghost" },
        errorCode: "unknown-user", errorMentions: ["ghost", "/etc/passwd"]),
    GoldenCase(
        name: "everything",
        container: web {
            $0.args = ["/bin/sh", "-c", "exec nginx"]
            $0.cwd = "/srv/www"
            $0.env = ["MODE=prod"]
            $0.mounts = [
                MountDefinition(type: "bind", source: "/srv/data", destination: "/data", options: ["rbind", "ro"]),
                MountDefinition(type: "tmpfs", destination: "/run", options: ["size=16m"]),
            ]
            $0.withNamespaces = [NamespaceJoin(type: "ipc", target: .container("db"))]
            $0.readonly = true
            $0.tty = true
            $0.labels = ["tier": "front"]
            $0.user = "www:staff"
            $0.hostname = "web-1"
            $0.memoryLimit = 1 << 30
            $0.cpus = 0.5
            $0.pidsLimit = 128
        }, peers: ["db": 99], envFiles: [("web.env", "FROM_FILE=1\n")]),
]

@Suite("Golden config.json")
struct GoldenSpecTests {
    @Test(arguments: goldenCases)
    func golden(_ testCase: GoldenCase) throws {
        let dir = try TempDirectory("golden")
        let rootfs = try Fixtures.rootfs(in: dir)
        var container = testCase.container
        for (name, text) in testCase.envFiles {
            container.envFiles.append(try dir.write("env/\(name)", text))
        }
        if let base = testCase.baseConfig {
            container.config = try dir.write("base-config.json", base)
        }
        let input = SpecInput(
            project: "demo", stateRootID: "0123456789ab", container: ResolvedContainer(resolving: container), imageConfig: testCase.image,
            rootfsPath: rootfs, peerPIDs: testCase.peers, hostHostname: "build-host",
            privilegedCapabilities: DefaultSpec.allCapabilities)
        if let code = testCase.errorCode {
            let error = try #require(throws: SpecError.self) { try SpecBuilder.build(input) }
            #expect(error.code == code)
            for text in testCase.errorMentions {
                #expect(error.message.contains(text), "message \"\(error.message)\" should mention \(text)")
            }
            return
        }
        let data = try SpecBuilder.encode(try SpecBuilder.build(input))
        try Golden.check(data, name: testCase.name)
        #expect(try SpecBuilder.encode(try SpecBuilder.build(input)) == data, "second build differs")
    }

    @Test func goldenNamesAreUnique() {
        #expect(Set(goldenCases.map(\.name)).count == goldenCases.count)
        #expect(goldenCases.filter { $0.errorCode == nil }.count >= 25)
    }
}
