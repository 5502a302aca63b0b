import Foundation
import Manifest
import OCI
import Testing

@testable import SpecBuilder

/// Whether this host can run the real-runc tests: root, runc, busybox-static, iproute2, unshare.
enum RuncHost {
    static let busybox = "/bin/busybox"
    static var available: Bool {
        geteuid() == 0 && Command.find("runc") != nil && Command.find("ip") != nil && Command.find("unshare") != nil
            && FileManager.default.isExecutableFile(atPath: busybox)
    }
}

/// A runc bundle with a busybox rootfs, removed (with its runc state) when released.
final class BusyboxBundle {
    let dir: TempDirectory
    var bundle: String { dir.path + "/bundle" }
    var rootfs: String { bundle + "/rootfs" }
    var state: String { dir.path + "/state" }

    init() throws {
        dir = try TempDirectory("runc")
        let bin = try dir.mkdir("bundle/rootfs/bin")
        for sub in ["etc", "proc", "sys", "dev", "tmp", "root", "home/app"] { _ = try dir.mkdir("bundle/rootfs/\(sub)") }
        try FileManager.default.copyItem(atPath: RuncHost.busybox, toPath: bin + "/busybox")
        let applets = try Command.run(RuncHost.busybox, ["--list"]).stdout.split(whereSeparator: \.isNewline)
        for applet in applets where applet != "busybox" {
            try FileManager.default.createSymbolicLink(atPath: "\(bin)/\(applet)", withDestinationPath: "busybox")
        }
        try dir.write("bundle/rootfs/etc/passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:App:/home/app:/bin/sh\n")
        try dir.write("bundle/rootfs/etc/group", "root:x:0:\nwheel:x:10:root,app\nstaff:x:50:app\napp:x:1000:\n")
    }

    /// Writes the spec and runs it in the foreground with `runc run`; the container is always deleted.
    func run(_ spec: RuntimeSpec, id: String) throws -> CommandResult {
        try SpecBuilder.encode(spec).write(to: URL(fileURLWithPath: bundle + "/config.json"))
        defer { _ = try? Command.run("runc", ["--root", state, "delete", "-f", id]) }
        return try Command.run("runc", ["--root", state, "run", "--bundle", bundle, id], timeout: 60)
    }
}

/// A named network namespace from `ip netns add`, deleted when released.
final class NamedNetns {
    let name: String
    init() throws {
        name = "berth-spec-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let result = try Command.run("ip", ["netns", "add", name])
        guard result.status == 0 else { throw CommandError.notFound("ip netns add: \(result.stderr)") }
    }
    var path: String { "/run/netns/\(name)" }
    deinit { _ = try? Command.run("ip", ["netns", "delete", name]) }
}

/// A host process in its own network namespace, standing in for a running peer container.
final class NetnsPeer {
    let process = Process()
    init() throws {
        process.executableURL = URL(fileURLWithPath: Command.find("unshare") ?? "/usr/bin/unshare")
        process.arguments = ["--net", "sleep", "60"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let own = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/net")
        for _ in 0..<100 {
            let theirs = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/ns/net")
            if let theirs, theirs != own { return }
            usleep(50_000)
        }
    }
    var pid: Int32 { process.processIdentifier }
    deinit {
        // SIGKILL: a signal mask inherited through posix_spawn may block SIGTERM in the child.
        kill(pid, SIGKILL)
        process.waitUntilExit()
    }
}

@Suite("runc runs the generated spec", .serialized, .enabled(if: RuncHost.available))
struct RuncIntegrationTests {
    static let project = "spectest\(getpid())"

    static func image() -> ImageConfiguration {
        ImageConfiguration(
            architecture: "amd64", os: "linux",
            config: .init(env: ["PATH=/bin", "IMAGE_VAR=1"], cmd: ["sh"]), rootfs: .init(diffIDs: []))
    }

    /// Removes the per-project cgroup directories runc leaves behind (it removes only the leaf).
    static func removeProjectCgroups() {
        guard let controllers = try? FileManager.default.contentsOfDirectory(atPath: "/sys/fs/cgroup") else { return }
        for controller in controllers {
            let projectDir = "/sys/fs/cgroup/\(controller)/berth/\(project)"
            rmdir(projectDir)
            rmdir("/sys/fs/cgroup/\(controller)/berth")
        }
        rmdir("/sys/fs/cgroup/berth/\(project)")
        rmdir("/sys/fs/cgroup/berth")
    }

    @Test(.timeLimit(.minutes(2)))
    func rootContainerSeesDefaultsMountsEnvHostnameReadonlyAndNetns() throws {
        defer { Self.removeProjectCgroups() }
        let bundle = try BusyboxBundle()
        let netns = try NamedNetns()
        let hostDir = try bundle.dir.mkdir("hostdata")
        try bundle.dir.write("hostdata/hello.txt", "hello from the host\n")
        let script = """
            echo "ID:$(id)"; grep CapEff /proc/self/status; echo MOUNTS; cat /proc/mounts; echo ENV; env; \
            echo "HOST:$(hostname)"; if touch /probe 2>/dev/null; then echo WRITE:allowed; else echo WRITE:refused; fi; \
            echo "DATA:$(cat /data/hello.txt)"; echo "IFACES:$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | tr '\\n' ' ')"
            """
        var container = ContainerDefinition(name: "root-\(getpid())", image: "busybox", args: ["sh", "-c", script])
        container.env = ["FOO=bar"]
        container.mounts = [MountDefinition(type: "bind", source: hostDir, destination: "/data", options: ["ro"])]
        container.withNamespaces = [NamespaceJoin(type: "network", target: .path(netns.path))]
        container.readonly = true
        container.hostname = "berth-it"
        let spec = try SpecBuilder.build(
            SpecInput(
                project: Self.project, stateRootID: "0123456789ab", container: ResolvedContainer(resolving: container), imageConfig: Self.image(),
                rootfsPath: bundle.rootfs, hostHostname: "unused"))
        let result = try bundle.run(spec, id: "berth-spec-root-\(getpid())")
        #expect(result.status == 0, "runc failed: \(result.stderr)")
        let lines = result.stdout.split(whereSeparator: \.isNewline).map(String.init)

        #expect(lines.contains("ID:uid=0(root) gid=0(root) groups=0(root),10(wheel)"), "\(result.stdout)")
        #expect(lines.contains("CapEff:\t00000000a80425fb"), "\(result.stdout)")
        let mounts = lines.map { $0.split(separator: " ").map(String.init) }.filter { $0.count >= 4 }
        func mount(_ destination: String) -> [String]? { mounts.last { $0[1] == destination } }
        for (destination, type) in [
            ("/proc", "proc"), ("/dev", "tmpfs"), ("/dev/pts", "devpts"), ("/dev/shm", "tmpfs"),
            ("/dev/mqueue", "mqueue"), ("/sys", "sysfs"), ("/run", "tmpfs"),
        ] {
            #expect(mount(destination)?[2] == type, "\(destination) should be mounted as \(type)")
        }
        #expect(mount("/sys")?[3].split(separator: ",").first == "ro")
        #expect(mount("/dev/shm")?[3].contains("size=65536k") == true)
        #expect(mount("/")?[3].split(separator: ",").first == "ro", "root should be read-only")
        #expect(mount("/data")?[3].split(separator: ",").first == "ro", "bind mount should be read-only")
        #expect(lines.contains("FOO=bar"))
        #expect(lines.contains("IMAGE_VAR=1"))
        #expect(lines.contains("PATH=/bin"))
        #expect(lines.contains("HOST:berth-it"))
        #expect(lines.contains("WRITE:refused"))
        #expect(lines.contains("DATA:hello from the host"))
        #expect(lines.contains("IFACES:lo "), "only lo in the joined namespace: \(lines.filter { $0.hasPrefix("IFACES") })")
    }

    @Test(.timeLimit(.minutes(2)))
    func userContainerGetsGroupsAndJoinsPeerNetworkNamespace() throws {
        defer { Self.removeProjectCgroups() }
        let bundle = try BusyboxBundle()
        let peer = try NetnsPeer()
        let script = """
            echo "ID:$(id)"; grep CapEff /proc/self/status; echo "NETNS:$(readlink /proc/self/ns/net)"; \
            echo "IFACES:$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | tr '\\n' ' ')"
            """
        var container = ContainerDefinition(name: "user-\(getpid())", image: "busybox", args: ["sh", "-c", script])
        container.user = "app"
        container.withNamespaces = [NamespaceJoin(type: "network", target: .container("peer"))]
        let spec = try SpecBuilder.build(
            SpecInput(
                project: Self.project, stateRootID: "0123456789ab", container: ResolvedContainer(resolving: container), imageConfig: Self.image(),
                rootfsPath: bundle.rootfs, peerPIDs: ["peer": peer.pid],
                hostHostname: "unused"))
        let result = try bundle.run(spec, id: "berth-spec-user-\(getpid())")
        #expect(result.status == 0, "runc failed: \(result.stderr)")
        let lines = result.stdout.split(whereSeparator: \.isNewline).map(String.init)
        #expect(lines.contains("ID:uid=1000(app) gid=1000(app) groups=10(wheel),50(staff),1000(app)"), "\(result.stdout)")
        #expect(lines.contains("CapEff:\t0000000000000000"))
        let peerNetns = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(peer.pid)/ns/net")
        #expect(lines.contains("NETNS:\(peerNetns)"), "container should share the peer's netns \(peerNetns)")
        #expect(lines.contains("IFACES:lo "))
    }

    @Test(.timeLimit(.minutes(2)))
    func privilegedNetHostContainerWithReplacedShm() throws {
        defer { Self.removeProjectCgroups() }
        let bundle = try BusyboxBundle()
        let script = """
            grep CapEff /proc/self/status; echo MOUNTS; cat /proc/mounts; echo ENV; env; \
            echo "HOSTS:$(wc -c < /etc/hosts)"; if touch /probe 2>/dev/null; then echo WRITE:allowed; else echo WRITE:refused; fi
            """
        var container = ContainerDefinition(name: "priv-\(getpid())", image: "busybox", args: ["sh", "-c", script])
        container.privileged = true
        container.readonly = true
        container.netHost = true
        container.mounts = [
            MountDefinition(
                type: "tmpfs", source: "shm", destination: "/dev/shm",
                options: ["nosuid", "nodev", "size=1m"])
        ]
        let spec = try SpecBuilder.build(
            SpecInput(
                project: Self.project, stateRootID: "0123456789ab", container: ResolvedContainer(resolving: container), imageConfig: Self.image(),
                rootfsPath: bundle.rootfs, hostHostname: "the-host"))
        let result = try bundle.run(spec, id: "berth-spec-priv-\(getpid())")
        #expect(result.status == 0, "runc failed: \(result.stderr)")
        let lines = result.stdout.split(whereSeparator: \.isNewline).map(String.init)
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let ownCapEff = status.split(whereSeparator: \.isNewline).first { $0.hasPrefix("CapEff:") }.map(String.init)
        #expect(ownCapEff != nil && lines.contains(ownCapEff ?? ""), "privileged gets the caller's caps: \(lines.prefix(1))")
        let mounts = lines.map { $0.split(separator: " ").map(String.init) }.filter { $0.count >= 4 }
        func mount(_ destination: String) -> [String]? { mounts.last { $0[1] == destination } }
        #expect(mount("/sys")?[3].split(separator: ",").first == "rw", "privileged sysfs is writable")
        #expect(mount("/proc/kcore") == nil, "no masked paths when privileged")
        #expect(mount("/dev/shm")?[3].contains("size=1024k") == true, "the manifest's /dev/shm replaced the default")
        #expect(mounts.filter { $0[1] == "/dev/shm" }.count == 1)
        #expect(mount("/etc/hosts")?[3].split(separator: ",").first == "ro")
        #expect(mount("/etc/resolv.conf") != nil)
        #expect(lines.contains("HOSTNAME=the-host"))
        #expect(lines.contains("WRITE:refused"))
        let hostHostsSize = (try? FileManager.default.attributesOfItem(atPath: "/etc/hosts")[.size] as? Int) ?? -1
        #expect(lines.contains("HOSTS:\(hostHostsSize)"), "the host's /etc/hosts is visible")
    }
}
