import BerthSystem
import Manifest
import OCI

extension SpecBuilder {
    /// Image-config label prefixes containerd reserves and drops.
    static let reservedLabelPrefixes = ["containerd.io/", "io.cri-containerd"]

    /// ctr's `--mount`: existing mounts whose cleaned destination equals a new destination are removed,
    /// then the new mounts are appended in manifest order.
    static func applyMounts(_ mounts: [OCIMount], to draft: inout SpecDraft) {
        guard !mounts.isEmpty else { return }
        let destinations = Set(mounts.map(\.destination))
        draft.mounts.removeAll { destinations.contains(cleanPath($0.destination)) }
        draft.mounts.append(contentsOf: mounts)
    }

    /// ctr's `--privileged` (`WithPrivileged` + `WithAllDevicesAllowed`): every capability the caller
    /// has, no masked or read-only paths, writable sysfs and cgroupfs, no seccomp/AppArmor/SELinux,
    /// all devices allowed.
    static func applyPrivileged(capabilities caps: [String], to draft: inout SpecDraft) {
        var capabilities = draft.process.capabilities ?? OCICapabilities()
        capabilities.bounding = caps
        capabilities.effective = caps
        capabilities.permitted = caps
        draft.process.capabilities = capabilities
        draft.process.apparmorProfile = nil
        draft.process.selinuxLabel = nil
        draft.linux.maskedPaths = nil
        draft.linux.readonlyPaths = nil
        draft.linux.seccomp = nil
        for i in draft.mounts.indices where draft.mounts[i].type == "sysfs" || draft.mounts[i].type == "cgroup" {
            draft.mounts[i].options = draft.mounts[i].options?.map { $0 == "ro" ? "rw" : $0 }
        }
        draft.resources.devices = [OCIDeviceCgroup(allow: true, access: "rwm")]
    }

    /// ctr's `--net-host`: no network namespace, host /etc/hosts and /etc/resolv.conf bound read-only,
    /// and `HOSTNAME` set to the host's name. The UTS namespace stays private.
    static func applyNetHost(hostname: String, to draft: inout SpecDraft) {
        if let i = draft.namespaces.firstIndex(where: { $0.type == .network }) {
            draft.namespaces.remove(at: i)
        }
        for file in ["/etc/hosts", "/etc/resolv.conf"] {
            draft.mounts.append(OCIMount(destination: file, type: "bind", source: file, options: ["rbind", "ro"]))
        }
        draft.env = Environment.replaceOrAppend(draft.env, ["HOSTNAME=\(hostname)"])
    }

    /// An attached container: its network namespace is the one Berth made and attached (a file under the
    /// state root), its /etc/hosts and /etc/resolv.conf are Berth's files (rewritten in place as members come
    /// and go), and its host name is its own name unless `hostname` says otherwise.
    static func applyNetwork(_ network: SpecInput.NetworkFacts, container: ResolvedContainer, to draft: inout SpecDraft) {
        let entry = OCINamespace(type: .network, path: network.namespacePath)
        if let i = draft.namespaces.firstIndex(where: { $0.type == .network }) {
            draft.namespaces[i] = entry
        } else {
            draft.namespaces.append(entry)
        }
        bindResolutionFiles(hosts: network.hostsFile, resolvConf: network.resolvConfFile, to: &draft)
        draft.base.hostname = container.name
    }

    /// Berth's /etc/hosts and /etc/resolv.conf bound over the image's.
    static func bindResolutionFiles(hosts: String, resolvConf: String, to draft: inout SpecDraft) {
        for (destination, source) in [("/etc/hosts", hosts), ("/etc/resolv.conf", resolvConf)] {
            draft.mounts.removeAll { cleanPath($0.destination) == destination }
            draft.mounts.append(OCIMount(destination: destination, type: "bind", source: source, options: ["rbind", "rprivate"]))
        }
    }

    /// `cpus`: the CFS quota over ctr's 100000 µs period.
    static func applyCPUQuota(_ quota: Int64?, to draft: inout SpecDraft) {
        guard let quota else { return }
        var cpu = draft.resources.cpu ?? OCICPU()
        cpu.quota = quota
        cpu.period = UInt64(ResolvedContainer.cpuPeriod)
        draft.resources.cpu = cpu
    }

    /// `with-ns`: each join replaces the namespace entry of its type in place, or is appended.
    /// `container: NAME` becomes `/proc/<pid>/ns/<file>` of that running peer.
    static func applyNamespaceJoins(
        _ container: ResolvedContainer, peers: [String: Int32],
        to draft: inout SpecDraft
    ) throws {
        let location = container.locations["with-ns"]
        for join in container.namespaceJoins {
            let type = join.type
            let path: String
            switch join.target {
            case .path(let p):
                path = p
            case .container(let peer):
                guard let pid = peers[peer], pid > 0 else {
                    throw SpecError.peerNotRunning(peer, type: join.type.rawValue, at: location)
                }
                path = "/proc/\(pid)/ns/\(type.procFileName)"
            }
            let entry = OCINamespace(type: type, path: path)
            if let i = draft.namespaces.firstIndex(where: { $0.type == type }) {
                draft.namespaces[i] = entry
            } else {
                draft.namespaces.append(entry)
            }
        }
    }

    /// `memory-limit` (bytes, when not 0, as ctr) and `pids-limit`.
    static func applyLimits(_ container: ResolvedContainer, to draft: inout SpecDraft) {
        if let limit = container.memoryLimit {
            var memory = draft.resources.memory ?? OCIMemory()
            memory.limit = limit
            draft.resources.memory = memory
        }
        if let pids = container.pidsLimit {
            draft.resources.pids = OCIPids(limit: pids)
        }
    }

    /// Annotations, later wins: the base file's, image labels (minus reserved prefixes), manifest
    /// labels, then the stop signal for image containers.
    static func applyAnnotations(image: ImageConfiguration?, labels: [String: String], stopSignal: String? = nil, to draft: inout SpecDraft) {
        for (key, value) in image?.config?.labels ?? [:]
        where !reservedLabelPrefixes.contains(where: { key.hasPrefix($0) }) {
            draft.annotations[key] = value
        }
        draft.annotations.merge(labels) { _, new in new }
        if let image {
            let signal = image.config?.stopSignal ?? ""
            draft.annotations[stopSignalAnnotation] = signal.isEmpty ? "SIGTERM" : signal
        }
        if let stopSignal { draft.annotations[stopSignalAnnotation] = stopSignal }
    }

    /// Lexical cleaning of a mount destination: the one rule, `PathGuard.clean`.
    static func cleanPath(_ path: String) -> String {
        PathGuard.clean(path)
    }
}
