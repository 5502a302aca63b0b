import Foundation
import Runtime
import Testing

/// Seccomp, capabilities and the kernel options with real runc: what the spec says is what the process gets.
@Suite(.serialized) struct SecurityTests {
    /// `unshare -U` needs unshare(2), which the default profile only allows with CAP_SYS_ADMIN; `keyctl`'s
    /// syscall is not in it at all. The shell, echo and wget still work.
    @Test func defaultSeccompProfileBlocksUnshareButRunsTheShell() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let manifest = try fixture.manifest(
            """
            version: 1
            name: it-seccomp
            containers:
              confined:
                image: berth.local/busybox:demo
                net-none: true
                args: ["sh", "-c", "echo hello; wget --help 2>&1 | head -1; unshare -U true; echo unshare=$$?; grep Seccomp: /proc/self/status"]
            """, project: "it-seccomp")
        let result = try fixture.run(["apply", "-f", manifest, "--wait"])
        #expect(result.status == 0, "stderr: \(result.stderrText)")
        let out = result.stdoutText
        #expect(out.hasPrefix("hello\nBusyBox"), "stdout: \(out)")
        #expect(out.contains("unshare=1"), "stdout: \(out)")
        #expect(out.contains("Seccomp:\t2"), "stdout: \(out)")
        #expect(result.stderrText.contains("Operation not permitted"), "stderr: \(result.stderrText)")

        let spec = try fixture.run(["spec", "-f", manifest, "confined"])
        #expect(spec.status == 0, "stderr: \(spec.stderrText)")
        #expect(
            spec.stdoutText.contains("\"defaultAction\" : \"SCMP_ACT_ERRNO\"") || spec.stdoutText.contains("\"defaultAction\": \"SCMP_ACT_ERRNO\""))
    }

    @Test func unconfinedAllowsUnshare() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let manifest = try fixture.manifest(
            """
            version: 1
            name: it-unconfined
            containers:
              free:
                image: berth.local/busybox:demo
                net-none: true
                seccomp: unconfined
                args: ["sh", "-c", "unshare -U true; echo unshare=$$?; grep Seccomp: /proc/self/status"]
            """, project: "it-unconfined")
        let result = try fixture.run(["apply", "-f", manifest, "--wait"])
        #expect(result.status == 0, "stderr: \(result.stderrText)")
        #expect(result.stdoutText == "unshare=0\nSeccomp:\t0\n", "stderr: \(result.stderrText)")
    }

    /// A sysctl, ulimits, the /dev/shm size, a tmpfs, a device, the OOM score, groups, capabilities and
    /// no-new-privileges, each read back inside the container.
    @Test func kernelOptionsTakeEffect() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let hasFuse = FileManager.default.fileExists(atPath: "/dev/fuse")
        let manifest = try fixture.manifest(
            """
            version: 1
            name: it-kernel
            containers:
              tuned:
                image: berth.local/busybox:demo
                net-none: true
                sysctls: ["net.ipv4.ip_unprivileged_port_start=80"]
                ulimits:
                  nofile: {soft: 4096, hard: 8192}
                shm-size: 128m
                tmpfs: /cache:size=8m
                \(hasFuse ? "devices: [/dev/fuse]" : "")
                oom-score-adj: 300
                group-add: [users, 4242]
                cap-drop: [ALL]
                cap-add: [chown, net_bind_service]
                no-new-privileges: false
                args:
                  - sh
                  - -c
                  - >-
                    cat /proc/sys/net/ipv4/ip_unprivileged_port_start;
                    ulimit -n; ulimit -H -n;
                    df -k /dev/shm | tail -1 | awk "{print \\"shm=\\" \\$$2}";
                    df -k /cache | tail -1 | awk "{print \\"cache=\\" \\$$2}";
                    test -c /dev/fuse && echo fuse=yes || echo fuse=no;
                    cat /proc/self/oom_score_adj;
                    id -G;
                    grep -E "^(CapEff|NoNewPrivs)" /proc/self/status
            """, project: "it-kernel")
        let result = try fixture.run(["apply", "-f", manifest, "--wait"])
        #expect(result.status == 0, "stderr: \(result.stderrText)")
        let lines = result.stdoutText.split(separator: "\n").map(String.init)
        #expect(
            lines == [
                "80", "4096", "8192", "shm=131072", "cache=8192", hasFuse ? "fuse=yes" : "fuse=no", "300", "0 10 100 4242",
                "CapEff:\t0000000000000401", "NoNewPrivs:\t0",
            ], "stdout: \(result.stdoutText) stderr: \(result.stderrText)")
    }

    /// `pid: host` drops the PID namespace (the host's PID 1 is visible); `ipc: container:db` joins db's IPC
    /// namespace, and db, which the join makes a dependency, is started first and kept running.
    @Test func hostPidAndContainerIpcNamespaces() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let hostInit = try String(contentsOfFile: "/proc/1/comm", encoding: .utf8)
        let manifest = try fixture.manifest(
            """
            version: 1
            name: it-ns-modes
            containers:
              db:
                image: berth.local/busybox:demo
                net-none: true
                args: ["sh", "-c", "trap \\"exit 0\\" TERM; sleep 300 & wait"]
              web:
                image: berth.local/busybox:demo
                net-none: true
                pid: host
                ipc: container:db
                args: ["sh", "-c", "cat /proc/1/comm; readlink /proc/self/ns/ipc"]
            """, project: "it-ns-modes")
        let result = try fixture.run(["apply", "-f", manifest, "--wait"])
        #expect(result.status == 0, "stderr: \(result.stderrText)")
        // Several containers: each line of output is prefixed with its container's name.
        let lines = result.stdoutText.split(separator: "\n").map { String($0.hasPrefix("web | ") ? $0.dropFirst(6) : $0) }
        #expect(lines.first == hostInit.trimmingCharacters(in: .newlines), "stdout: \(result.stdoutText)")
        let dbIPC = try ProcessRunner().run(
            fixture.berth, ["exec", "--state-root", fixture.root, "-p", "it-ns-modes", "db", "--", "readlink", "/proc/self/ns/ipc"])
        #expect(dbIPC.status == 0, "stderr: \(dbIPC.stderrText)")
        #expect(lines.count == 2 && lines[1] == dbIPC.stdoutText.trimmingCharacters(in: .newlines), "web: \(lines), db: \(dbIPC.stdoutText)")
        #expect(lines.last != (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/ipc")))
    }

    @Test func hostileValuesAreLocatedErrors() throws {
        let fixture = try BerthFixture()
        let manifest = try fixture.manifest(
            """
            version: 1
            name: it-hostile
            containers:
              bad:
                image: berth.local/busybox:demo
                cap-add: ["CAP_X; rm -rf /"]
                sysctls: {"kernel/../../etc": "1", "vm.overcommit_memory": "1"}
                devices: ["/etc/shadow:/dev/shadow"]
                security-opt: ["apparmor=docker-default"]
            """, project: "it-hostile")
        let result = try fixture.run(["plan", "-f", manifest])
        #expect(result.status != 0)
        let text = result.stderrText
        #expect(text.contains("berth.yaml:6:"), "stderr: \(text)")
        #expect(text.contains("unknown capability"), "stderr: \(text)")
        #expect(text.contains("only namespaced sysctls"), "stderr: \(text)")
        #expect(text.contains("under /dev"), "stderr: \(text)")
        #expect(text.contains("no AppArmor"), "stderr: \(text)")
        #expect(!text.contains("Fatal error"), "stderr: \(text)")
    }
}
