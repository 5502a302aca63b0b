import OCI

/// containerd's default Linux spec (`populateDefaultUnixSpec`) plus what current `ctr run` always
/// adds to it: the default device allow list and `cpu.shares` 1024 (the `--cpu-shares` default).
enum DefaultSpec {
    /// The PATH an image without Env gets (containerd's fallback in WithImageConfig).
    static let pathVariable = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// The 14 default capabilities, in containerd's order.
    static let capabilities = [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
        "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
    ]

    /// Every capability Linux defines (0 through 40), in number order: index = capability number.
    static let allCapabilities = LinuxCapability.all

    /// The seven default mounts, in containerd's order, with its exact options.
    static let mounts: [OCIMount] = [
        OCIMount(destination: "/proc", type: "proc", source: "proc", options: ["nosuid", "noexec", "nodev"]),
        OCIMount(
            destination: "/dev", type: "tmpfs", source: "tmpfs",
            options: ["nosuid", "strictatime", "mode=755", "size=65536k"]),
        OCIMount(
            destination: "/dev/pts", type: "devpts", source: "devpts",
            options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]),
        OCIMount(
            destination: "/dev/shm", type: "tmpfs", source: "shm",
            options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]),
        OCIMount(destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"]),
        OCIMount(destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"]),
        OCIMount(
            destination: "/run", type: "tmpfs", source: "tmpfs",
            options: ["nosuid", "strictatime", "mode=755", "size=65536k"]),
    ]

    static let namespaces: [OCINamespace] = [
        OCINamespace(type: .pid), OCINamespace(type: .ipc), OCINamespace(type: .uts),
        OCINamespace(type: .mount), OCINamespace(type: .network),
    ]

    static let maskedPaths = [
        "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
        "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/sys/devices/virtual/powercap", "/proc/scsi",
    ]

    static let readonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]

    /// Deny everything, then ctr's `WithDefaultUnixDevices` allow list.
    static let deviceRules: [OCIDeviceCgroup] = [
        OCIDeviceCgroup(allow: false, access: "rwm"),
        allowChar(1, 3), allowChar(1, 8), allowChar(1, 7), allowChar(5, 0), allowChar(1, 5), allowChar(1, 9),
        allowChar(5, 1), allowChar(136, nil), allowChar(5, 2),
    ]

    static func allowChar(_ major: Int64, _ minor: Int64?) -> OCIDeviceCgroup {
        OCIDeviceCgroup(allow: true, type: "c", major: major, minor: minor, access: "rwm")
    }

    /// The complete default spec; `root.path` and `cgroupsPath` are set by the builder.
    static func make() -> RuntimeSpec {
        let caps = OCICapabilities(bounding: capabilities, effective: capabilities, permitted: capabilities)
        let process = OCIProcess(
            user: OCIUser(uid: 0, gid: 0), cwd: "/", capabilities: caps,
            rlimits: [OCIRlimit(type: "RLIMIT_NOFILE", hard: 1024, soft: 1024)],
            noNewPrivileges: true)
        let resources = OCIResources(devices: deviceRules, cpu: OCICPU(shares: 1024))
        let linux = OCILinux(
            namespaces: namespaces, resources: resources, maskedPaths: maskedPaths,
            readonlyPaths: readonlyPaths)
        return RuntimeSpec(process: process, root: OCIRoot(path: "rootfs"), mounts: mounts, linux: linux)
    }
}
