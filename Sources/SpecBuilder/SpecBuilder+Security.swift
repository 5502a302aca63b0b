import Diagnostics
import Foundation
import Manifest
import OCI

#if canImport(Glibc)
import Glibc
#endif

/// The security and kernel options, as ctr's flags set them: `--cap-add`/`--cap-drop`, `--seccomp`
/// (`--seccomp-profile`), `--rlimit-nofile` (every rlimit here), `--device`, and the sysctls, OOM score,
/// groups, `/dev/shm` size and host namespaces that containerd's spec options write.
extension SpecBuilder {
    static func applyKernelOptions(_ input: SpecInput, fromFile: Bool, users: UserDatabase, to draft: inout SpecDraft) throws {
        let container = input.container
        let k = container.kernel
        if !container.privileged { applyCapabilities(add: k.capAdd, drop: k.capDrop, all: input.privilegedCapabilities, to: &draft) }
        if let noNewPrivileges = k.noNewPrivileges { draft.process.noNewPrivileges = noNewPrivileges }
        for limit in k.ulimits {
            let rlimit = OCIRlimit(type: limit.rlimitType, hard: limit.hard, soft: limit.soft)
            var rlimits = draft.process.rlimits ?? []
            if let i = rlimits.firstIndex(where: { $0.type == rlimit.type }) { rlimits[i] = rlimit } else { rlimits.append(rlimit) }
            draft.process.rlimits = rlimits
        }
        if !k.sysctls.isEmpty { draft.linux.sysctl = (draft.linux.sysctl ?? [:]).merging(k.sysctls) { _, new in new } }
        if let score = k.oomScoreAdj { draft.process.oomScoreAdj = score }
        if let size = k.shmSize {
            for i in draft.mounts.indices where cleanPath(draft.mounts[i].destination) == "/dev/shm" && draft.mounts[i].type == "tmpfs" {
                // containerd's WithDevShmSize: the size in KiB (rounded up here), replacing any size option.
                draft.mounts[i].options = (draft.mounts[i].options ?? []).filter { !$0.hasPrefix("size=") } + ["size=\((size + 1023) / 1024)k"]
            }
        }
        if !k.hostNamespaces.isEmpty { draft.namespaces.removeAll { k.hostNamespaces.contains($0.type) } }
        if !k.groupAdd.isEmpty { try applyGroups(k.groupAdd, users: users, location: container.locations["group-add"], to: &draft) }
        for device in k.devices { try applyDevice(device, location: container.locations["devices"], to: &draft) }
        try applySeccomp(k.seccomp, privileged: container.privileged, fromFile: fromFile, location: container.locations["seccomp"], to: &draft)
    }

    /// docker's order: `cap-drop` (ALL empties the sets) then `cap-add` (ALL is every capability the caller
    /// has), so a name in both lists is kept. Drops leave the inheritable set too, as containerd's.
    static func applyCapabilities(add: [String], drop: [String], all: [String], to draft: inout SpecDraft) {
        guard !add.isEmpty || !drop.isEmpty else { return }
        var caps = draft.process.capabilities ?? OCICapabilities()
        let dropAll = drop.contains("ALL")
        func dropped(_ list: [String]?) -> [String]? {
            guard let list else { return nil }
            return dropAll ? [] : list.filter { !drop.contains($0) }
        }
        caps.bounding = dropped(caps.bounding)
        caps.effective = dropped(caps.effective)
        caps.permitted = dropped(caps.permitted)
        caps.inheritable = dropped(caps.inheritable)
        let added = add.contains("ALL") ? all : add
        for name in added {
            for keyPath in [\OCICapabilities.bounding, \.effective, \.permitted] where !(caps[keyPath: keyPath] ?? []).contains(name) {
                caps[keyPath: keyPath] = (caps[keyPath: keyPath] ?? []) + [name]
            }
        }
        draft.process.capabilities = caps
    }

    /// ctr's `--seccomp`: containerd's default profile for the capabilities the container ends with, unless
    /// `unconfined` or privileged; a `config:` file or checkpoint keeps its own profile unless `seccomp` is set.
    static func applySeccomp(
        _ setting: SeccompSetting?, privileged: Bool, fromFile: Bool, location: SourceLocation?, to draft: inout SpecDraft
    ) throws {
        if privileged {
            draft.linux.seccomp = nil
            return
        }
        switch setting {
        case nil where fromFile:
            return
        case nil, .default?:
            draft.linux.seccomp = SeccompProfile.defaultProfile(bounding: draft.process.capabilities?.bounding ?? [])
        case .unconfined?:
            draft.linux.seccomp = nil
        case .profile(let path)?:
            switch SeccompProfileFile.load(path: path) {
            case .success(let profile): draft.linux.seccomp = profile
            case .failure(let problem):
                throw SpecError.invalidValue("seccomp", "seccomp profile \(path): \(problem.reason)", at: location)
            }
        }
    }

    /// `group-add`: gids as written, names from the container's /etc/group, after the user's groups.
    static func applyGroups(_ groups: [String], users: UserDatabase, location: SourceLocation?, to draft: inout SpecDraft) throws {
        var gids = draft.process.user.additionalGids ?? []
        for group in groups {
            let gid: UInt32
            if let number = UInt32(group), number <= UInt32(Int32.max) {
                gid = number
            } else {
                let entries = try users.groups()
                guard let entry = entries?.first(where: { $0.name == group }), entry.gid >= 0, entry.gid <= Int(Int32.max) else {
                    throw SpecError.unknownGroup(
                        group, value: group, file: users.groupDisplayPath, missing: entries == nil, at: location)
                }
                gid = UInt32(entry.gid)
            }
            if !gids.contains(gid) { gids.append(gid) }
        }
        draft.process.user.additionalGids = gids
    }

    /// ctr's `--device`: the host node's type, numbers, mode and owner (read now, with lstat) at the container
    /// path, and a device cgroup rule allowing it with the permissions.
    static func applyDevice(_ device: DeviceMapping, location: SourceLocation?, to draft: inout SpecDraft) throws {
        var info = stat()
        guard lstat(device.hostPath, &info) == 0 else {
            throw SpecError.invalidValue("devices", "device \(device.hostPath) does not exist on this host", at: location)
        }
        let type: String
        switch info.st_mode & S_IFMT {
        case S_IFCHR: type = "c"
        case S_IFBLK: type = "b"
        default: throw SpecError.invalidValue("devices", "\(device.hostPath) is not a character or block device", at: location)
        }
        let (major, minor) = deviceNumbers(UInt64(info.st_rdev))
        let node = OCIDevice(
            type: type, path: device.containerPath, major: major, minor: minor, fileMode: UInt32(info.st_mode & 0o7777),
            uid: info.st_uid, gid: info.st_gid)
        var devices = draft.linux.devices ?? []
        devices.removeAll { $0.path == node.path }
        devices.append(node)
        draft.linux.devices = devices
        var rules = draft.resources.devices ?? []
        rules.append(OCIDeviceCgroup(allow: true, type: type, major: major, minor: minor, access: device.permissions))
        draft.resources.devices = rules
    }

    /// glibc's `major()`/`minor()` of a Linux `dev_t`.
    static func deviceNumbers(_ dev: UInt64) -> (major: Int64, minor: Int64) {
        let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & ~UInt64(0xfff))
        let minor = (dev & 0xff) | ((dev >> 12) & ~UInt64(0xff))
        return (Int64(major), Int64(minor))
    }
}
