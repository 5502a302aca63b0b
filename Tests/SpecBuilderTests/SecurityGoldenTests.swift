import Foundation
import Manifest
import OCI
import Testing

@testable import SpecBuilder

/// The security and kernel options in config.json (ctr's `--seccomp`, `--cap-add`, `--cap-drop`, `--device`,
/// `--rlimit-nofile`, and the sysctls, groups, OOM score, shm size and namespaces containerd writes).
private func secure(_ configure: (inout ContainerDefinition) -> Void = { _ in }) -> ContainerDefinition {
    var container = ContainerDefinition(name: "web", image: "docker.io/library/nginx:1")
    configure(&container)
    return container
}

let securityGoldenCases: [GoldenCase] = [
    GoldenCase(name: "seccomp-default", container: secure()),
    GoldenCase(
        name: "seccomp-default-explicit-readonly",
        container: secure {
            $0.kernel.seccomp = .default; $0.readonly = true
        }),
    GoldenCase(
        name: "seccomp-default-cap-add-admin-ptrace",
        container: secure { $0.kernel.capAdd = ["CAP_SYS_ADMIN", "CAP_SYS_PTRACE", "CAP_BPF"] }),
    GoldenCase(
        name: "seccomp-default-privileged",
        container: secure {
            $0.kernel.seccomp = .default; $0.privileged = true
        }),
    GoldenCase(
        name: "seccomp-missing-profile", container: secure { $0.kernel.seccomp = .profile("/nonexistent/berth-seccomp.json") },
        errorCode: "invalid-seccomp", errorMentions: ["/nonexistent/berth-seccomp.json", "does not exist"]),
    GoldenCase(
        name: "cap-add-drop",
        container: secure {
            $0.kernel.seccomp = .unconfined
            $0.kernel.capAdd = ["CAP_NET_ADMIN", "CAP_KILL"]
            $0.kernel.capDrop = ["CAP_NET_RAW", "CAP_MKNOD"]
        }),
    GoldenCase(
        name: "cap-drop-all-add-one",
        container: secure {
            $0.kernel.seccomp = .unconfined
            $0.kernel.capAdd = ["CAP_NET_BIND_SERVICE"]
            $0.kernel.capDrop = ["ALL"]
        }),
    GoldenCase(
        name: "no-new-privileges-false",
        container: secure {
            $0.kernel.seccomp = .unconfined; $0.kernel.noNewPrivileges = false
        }),
    GoldenCase(
        name: "kernel-options",
        container: secure {
            $0.kernel.seccomp = .unconfined
            $0.kernel.sysctls = ["net.ipv4.ip_unprivileged_port_start": "80", "kernel.shmmax": "68719476736"]
            $0.kernel.ulimits = [Ulimit(name: "nofile", soft: 2048, hard: 4096), Ulimit(name: "core", soft: 0, hard: UInt64.max)]
            $0.kernel.devices = [DeviceMapping(hostPath: "/dev/null", containerPath: "/dev/mynull", permissions: "rw")]
            $0.kernel.shmSize = 128 << 20
            $0.kernel.tmpfs = [
                MountDefinition(type: "tmpfs", source: "tmpfs", destination: "/cache", options: ["noexec", "nosuid", "nodev", "size=64m"])
            ]
            $0.kernel.groupAdd = ["staff", "4242"]
            $0.kernel.oomScoreAdj = 500
            $0.kernel.hostNamespaces = [.ipc, .pid]
        }),
    GoldenCase(
        name: "ipc-pid-container",
        container: secure {
            $0.kernel.seccomp = .unconfined
            $0.withNamespaces = [NamespaceJoin(type: .ipc, target: .container("db")), NamespaceJoin(type: .pid, target: .container("db"))]
        }, peers: ["db": 4242]),
    GoldenCase(
        name: "group-add-unknown", container: secure { $0.kernel.groupAdd = ["ghosts"] },
        errorCode: "unknown-group", errorMentions: ["ghosts", "/etc/group"]),
    GoldenCase(
        name: "device-not-a-device",
        container: secure { $0.kernel.devices = [DeviceMapping(hostPath: "/dev/shm", containerPath: "/dev/shm", permissions: "rwm")] },
        errorCode: "invalid-devices", errorMentions: ["/dev/shm", "not a character or block device"]),
]

@Suite("Golden config.json: security and kernel options")
struct SecurityGoldenTests {
    @Test(arguments: securityGoldenCases)
    func golden(_ testCase: GoldenCase) throws {
        let dir = try TempDirectory("security-golden")
        let rootfs = try Fixtures.rootfs(in: dir)
        let input = SpecInput(
            project: "demo", stateRootID: "0123456789ab", container: ResolvedContainer(resolving: testCase.container),
            imageConfig: testCase.image, rootfsPath: rootfs, peerPIDs: testCase.peers, hostHostname: "build-host",
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
    }

    @Test func defaultProfileMatchesContainerdShape() throws {
        let profile = SeccompProfile.defaultProfile(bounding: DefaultSpec.capabilities)
        #expect(profile["defaultAction"] == .string("SCMP_ACT_ERRNO"))
        guard case .array(let rules)? = profile["syscalls"] else {
            Issue.record("no syscalls")
            return
        }
        let allowedNames = rules.filter { $0["args"] == nil && $0["action"] == .string("SCMP_ACT_ALLOW") }
            .flatMap { rule -> [String] in
                guard case .array(let names)? = rule["names"] else { return [] }
                return names.compactMap(\.stringValue)
            }
        for name in ["read", "write", "execve", "openat", "arch_prctl", "ptrace", "chroot"] {
            #expect(allowedNames.contains(name), "\(name) should be allowed")
        }
        for name in ["unshare", "mount", "keyctl", "add_key", "bpf", "reboot", "setns", "clone", "clone3", "kexec_load"] {
            #expect(!allowedNames.contains(name), "\(name) should not be allowed unconditionally")
        }
        #expect(Set(SeccompDefaults.allowed).count == SeccompDefaults.allowed.count, "no duplicates in the allow-list")
        let clone3 = try #require(rules.last)
        #expect(clone3["errnoRet"] == .int(38))
    }

    @Test func profileFileIsPassedThrough() throws {
        let dir = try TempDirectory("seccomp-file")
        let path = try dir.write(
            "profile.json", #"{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"}]}"#)
        let notProfile = try dir.write("bad.json", #"["x"]"#)
        let rootfs = try Fixtures.rootfs(in: dir)
        func build(_ setting: SeccompSetting) throws -> RuntimeSpec {
            var container = ContainerDefinition(name: "web", image: "docker.io/library/nginx:1")
            container.kernel.seccomp = setting
            return try SpecBuilder.build(
                SpecInput(
                    project: "demo", stateRootID: "0123456789ab", container: ResolvedContainer(resolving: container),
                    imageConfig: Fixtures.image(), rootfsPath: rootfs))
        }
        #expect(try build(.profile(path)).linux?.seccomp?["defaultAction"] == .string("SCMP_ACT_ALLOW"))
        #expect(try build(.unconfined).linux?.seccomp == nil)
        let error = try #require(throws: SpecError.self) { try build(.profile(notProfile)) }
        #expect(error.code == "invalid-seccomp" && error.message.contains("defaultAction"))
    }

    @Test func deviceNumbersDecodeLinuxDevT() {
        #expect(SpecBuilder.deviceNumbers(0x0103) == (1, 3))
        #expect(SpecBuilder.deviceNumbers(0xa_e5) == (10, 229))
        // major 259, minor 1048575 (large numbers use the high bits).
        let dev: UInt64 = (0xfff & 259) << 8 | (UInt64(259) & ~0xfff) << 32 | 0xff | (UInt64(1_048_575) & ~0xff) << 12
        #expect(SpecBuilder.deviceNumbers(dev) == (259, 1_048_575))
    }
}
