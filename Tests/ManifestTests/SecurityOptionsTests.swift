import Diagnostics
import Foundation
import Testing

@testable import Manifest

/// The security and kernel options: spellings, defaults, what goes into the canonical form, warnings.
@Suite struct SecurityOptionsTests {
    @Test func securityOptSpellingsSetSeccompAndNoNewPrivileges() throws {
        let manifest = try Support.load(
            """
            version: 1
            containers:
              web:
                image: berth.local/busybox:demo
                security-opt: ["seccomp=profiles/strict.json", "no-new-privileges=false"]
                read-only: true
            """)
        let web = try #require(manifest.container(named: "web"))
        #expect(web.kernel.seccomp == .profile("/project/profiles/strict.json"))
        #expect(web.kernel.noNewPrivileges == false)
        #expect(web.readonly)
        #expect(web.specFieldsSet() == ["readonly", "seccomp", "no-new-privileges"])
    }

    /// The same on every host: Berth applies no AppArmor profile, so `unconfined` is what a container gets.
    @Test func apparmorUnconfinedIsOnlyAWarning() throws {
        let manifest = try Support.load(
            """
            version: 1
            containers:
              web:
                image: berth.local/busybox:demo
                security-opt: [apparmor=unconfined]
            """)
        #expect(
            manifest.warnings.map(\.description) == [
                "berth.yaml:5:20: warning: `security-opt` \"apparmor=unconfined\": Berth applies no AppArmor profile, so the container is unconfined anyway"
            ])
    }

    @Test func seccompInBothPlacesIsAConflict() {
        let text = """
            version: 1
            containers:
              web:
                image: berth.local/busybox:demo
                seccomp: default
                security-opt: [seccomp=unconfined]
            """
        #expect(
            Support.diagnostics(text) == [
                "berth.yaml:6:20: error: `seccomp` and `security-opt: seccomp=unconfined` both set the same thing; keep one"
            ])
    }

    /// The options are written only when set, so a manifest without them keeps its canonical form and hash.
    @Test func unsetOptionsLeaveTheCanonicalFormAlone() throws {
        let text = """
            version: 1
            containers:
              web:
                image: berth.local/busybox:demo
            """
        let web = try #require(try Support.load(text).container(named: "web"))
        let json = String(decoding: try ManifestRenderer.canonicalJSON(of: web), as: UTF8.self)
        for key in ["seccomp", "cap-add", "sysctls", "ulimits", "devices", "shm-size", "tmpfs", "no-new-privileges", "ipc", "pid"] {
            #expect(!json.contains("\"\(key)\""), "\(key) in \(json)")
        }
        #expect(web.kernel.isEmpty)
    }

    @Test func ipcAndPidContainerFormsAreNamespaceJoinsAndDependencies() throws {
        let manifest = try Support.load(
            """
            version: 1
            containers:
              db:
                image: berth.local/busybox:demo
              web:
                image: berth.local/busybox:demo
                ipc: container:db
                pid: container:db
            """)
        let web = try #require(manifest.container(named: "web"))
        #expect(web.withNamespaces == [NamespaceJoin(type: .ipc, target: .container("db")), NamespaceJoin(type: .pid, target: .container("db"))])
        #expect(web.dependencies == ["db"])
        #expect(manifest.serviceNames == ["db"])
    }

    @Test func tmpfsOverAnotherMountIsRefused() {
        let text = """
            version: 1
            containers:
              web:
                image: berth.local/busybox:demo
                mounts: [{type: tmpfs, destination: /cache}]
                tmpfs: [/cache, /run, "/run:size=1m"]
            """
        #expect(
            Support.diagnostics(text) == [
                "berth.yaml:6:13: error: `tmpfs` entry \"/cache\": something else is already mounted at /cache",
                "berth.yaml:6:27: error: `tmpfs` entry \"/run:size=1m\": something else is already mounted at /run",
            ])
    }

    @Test func sysctlsNetAreRefusedWithANetworkJoin() {
        let text = """
            version: 1
            containers:
              db:
                image: berth.local/busybox:demo
              web:
                image: berth.local/busybox:demo
                with-ns: [{type: network, container: db}]
                sysctls: {net.core.somaxconn: 1024, kernel.msgmax: 65536}
            """
        #expect(
            Support.diagnostics(text) == [
                "berth.yaml:8:15: error: `sysctls`: \"net.core.somaxconn\" cannot be set: the container has no network namespace of its own (`net-host` or a `with-ns` network join)"
            ])
    }
}

@Suite struct SecurityHostChecksTests {
    @Test func hardUlimitsAboveBerthsOwnAreRefusedWithoutCapSysResource() throws {
        let manifest = try Support.load(
            """
            version: 1
            containers:
              web:
                image: berth.local/busybox:demo
                ulimits: {nofile: 30000, nproc: {soft: 10, hard: 100}, core: -1}
            """)
        let web = try #require(manifest.container(named: "web"))
        let limits: [String: UInt64] = ["nofile": 20000, "nproc": 1000, "core": UInt64.max]
        let problems = HostValidator.ulimitProblems(web, canRaiseHardLimits: false) { limits[$0] }
        #expect(
            problems.map(\.description) == [
                "berth.yaml:5:15: error: ulimit `nofile` hard 30000 is above this host's limit for Berth (20000), which it cannot raise without CAP_SYS_RESOURCE; use 20000 or less"
            ])
        #expect(HostValidator.ulimitProblems(web, canRaiseHardLimits: true) { limits[$0] }.isEmpty)
    }

    @Test func oomScoreBelowBerthsOwnIsRefusedWithoutCapSysResource() throws {
        let manifest = try Support.load(
            """
            version: 1
            containers:
              web:
                image: berth.local/busybox:demo
                oom-score-adj: -500
            """)
        let web = try #require(manifest.container(named: "web"))
        #expect(
            HostValidator.oomScoreProblem(web, canLower: false, current: 0)?.description
                == "berth.yaml:5:20: error: `oom-score-adj` -500 is below Berth's own (0), which it cannot lower without CAP_SYS_RESOURCE; use 0 or more"
        )
        #expect(HostValidator.oomScoreProblem(web, canLower: true, current: 0) == nil)
        #expect(HostValidator.oomScoreProblem(web, canLower: false, current: -600) == nil)
    }

    @Test func devicesMustBeDeviceNodesAndProfilesMustExist() throws {
        let manifest = try Support.load(
            """
            version: 1
            containers:
              web:
                image: berth.local/busybox:demo
                devices: [/dev/null, /dev/berth-no-such-device]
                seccomp: /nonexistent/profile.json
            """)
        let web = try #require(manifest.container(named: "web"))
        #expect(
            HostValidator.kernelOptionProblems(web).map(\.description) == [
                "berth.yaml:6:14: error: `seccomp` profile `/nonexistent/profile.json`: it does not exist",
                "berth.yaml:5:26: error: `devices` path `/dev/berth-no-such-device` is not a device node on this host",
            ])
    }

    /// The plan-time check holds a profile to the rule apply uses: a JSON object without `defaultAction` is
    /// refused before apply, not at it.
    @Test func aProfileWithoutDefaultActionIsRefusedAtPlan() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("seccomp-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try Data(#"{"syscalls": []}"#.utf8).write(to: URL(fileURLWithPath: file))
        let manifest = try Support.load(
            """
            version: 1
            containers:
              web:
                image: berth.local/busybox:demo
                seccomp: \(file)
            """)
        let web = try #require(manifest.container(named: "web"))
        let problems = HostValidator.kernelOptionProblems(web).map(\.description)
        #expect(problems.count == 1 && problems[0].contains("no `defaultAction`"), "\(problems)")
    }
}
