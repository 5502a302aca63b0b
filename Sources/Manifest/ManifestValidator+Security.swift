import Diagnostics
import OCI

/// Seccomp, `no-new-privileges`, capabilities, `security-opt`, `read-only`, and the kernel options (sysctls,
/// ulimits, devices, shm and tmpfs, groups, OOM score, IPC and PID namespaces, platform).
extension ManifestValidator {
    mutating func validateKernelOptions(_ d: ContainerDescription, into c: inout ContainerDefinition) {
        let k = d.kernel
        var options = KernelOptions()
        if let alias = k.readOnlyAlias {
            if d.readonly != nil {
                diagnostics.append(ManifestDiagnostics.bothSpellings("readonly", "read-only", at: alias.location))
            } else {
                c.readonly = alias.value
            }
        }
        if let seccomp = k.seccomp { options.seccomp = seccompSetting(seccomp) }
        options.noNewPrivileges = k.noNewPrivileges?.value
        for entry in k.securityOpt?.value ?? [] { securityOption(entry, hasSeccompKey: k.seccomp != nil, into: &options) }
        options.capAdd = capabilities("cap-add", k.capAdd)
        options.capDrop = capabilities("cap-drop", k.capDrop)
        options.sysctls = sysctls(k.sysctls, container: c)
        options.ulimits = ulimits(k.ulimits)
        options.devices = (k.devices?.value ?? []).compactMap { device($0) }
        if let size = k.shmSize {
            if let bytes = ValueRules.bytes(size.value), bytes > 0 {
                options.shmSize = bytes
            } else {
                diagnostics.append(ManifestDiagnostics.invalidSize("shm-size", size.value, at: size.location))
            }
        }
        let mounted = Set(c.mounts.map { ValueRules.clean($0.destination) })
        var tmpfsDestinations: Set<String> = []
        options.tmpfs = (k.tmpfs?.value ?? []).compactMap { entry in
            guard let mount = tmpfs(entry) else { return nil }
            guard !mounted.contains(mount.destination), tmpfsDestinations.insert(mount.destination).inserted else {
                diagnostics.append(
                    ManifestDiagnostics.invalidTmpfs(
                        entry.value, reason: "something else is already mounted at \(mount.destination)", at: entry.location))
                return nil
            }
            return mount
        }
        options.groupAdd = (k.groupAdd?.value ?? []).compactMap { group in
            guard ValueRules.isValidUser(group.value), !group.value.contains(":") else {
                diagnostics.append(ManifestDiagnostics.invalidGroup(group.value, at: group.location))
                return nil
            }
            return group.value
        }
        if let score = k.oomScoreAdj {
            if (-1000...1000).contains(score.value) {
                options.oomScoreAdj = Int(score.value)
            } else {
                diagnostics.append(ManifestDiagnostics.outOfRange("oom-score-adj", String(score.value), range: "-1000 to 1000", at: score.location))
            }
        }
        namespaceMode("ipc", k.ipc, type: .ipc, modes: ["private", "shareable", "host"], into: &options, c: &c)
        namespaceMode("pid", k.pid, type: .pid, modes: ["host"], into: &options, c: &c)
        if let platform = k.platform {
            if ManifestRules.hostPlatforms.contains(platform.value.lowercased()) {
                options.platform = platform.value.lowercased()
            } else {
                diagnostics.append(ManifestDiagnostics.foreignPlatform(platform.value, host: ManifestRules.hostPlatforms[0], at: platform.location))
            }
        }
        for entry in k.ulimits { c.locations.fields["ulimits.\(entry.name.value)"] = entry.name.location }
        for (i, entry) in (k.devices?.value ?? []).enumerated() { c.locations.fields["devices[\(i)]"] = entry.location }
        c.kernel = options
    }

    private mutating func seccompSetting(_ value: Located<String>) -> SeccompSetting? {
        switch value.value {
        case "default": return .default
        case "unconfined": return .unconfined
        case "": diagnostics.append(ManifestDiagnostics.emptyValue("seccomp", at: value.location))
        default:
            if value.value.contains("\0") || value.value.contains("\n") {
                diagnostics.append(ManifestDiagnostics.invalidSeccomp(value.value, at: value.location))
                return nil
            }
            return .profile(ValueRules.absolute(value.value, in: directory))
        }
        return nil
    }

    /// docker's `--security-opt` spellings: `no-new-privileges[:true|false]`, `seccomp=unconfined|PATH`,
    /// `apparmor=…` (Berth applies no AppArmor profile), `label=…` (no SELinux either). `=` and `:` both separate.
    private mutating func securityOption(_ entry: Located<String>, hasSeccompKey: Bool, into options: inout KernelOptions) {
        let text = entry.value
        let separator = text.firstIndex { $0 == "=" || $0 == ":" }
        let key = separator.map { String(text[..<$0]) } ?? text
        let value = separator.map { String(text[text.index(after: $0)...]) }
        switch key {
        case "no-new-privileges":
            switch value {
            case nil, "true"?: options.noNewPrivileges = true
            case "false"?: options.noNewPrivileges = false
            case let other?:
                diagnostics.append(ManifestDiagnostics.invalidSecurityOpt(text, reason: "`\(other)` is not true or false", at: entry.location))
            }
        case "seccomp":
            guard let value else {
                diagnostics.append(
                    ManifestDiagnostics.invalidSecurityOpt(text, reason: "say `seccomp=unconfined` or `seccomp=PATH`", at: entry.location))
                return
            }
            if hasSeccompKey {
                diagnostics.append(ManifestDiagnostics.bothSpellings("seccomp", "security-opt: \(text)", at: entry.location))
                return
            }
            options.seccomp = seccompSetting(Located(value, at: entry.location))
        case "apparmor":
            // The same answer on every host (a saved plan revalidates anywhere): Berth applies no AppArmor profile.
            diagnostics.append(ManifestDiagnostics.noAppArmor(text, at: entry.location, isError: value != "unconfined"))
        case "label":
            diagnostics.append(ManifestDiagnostics.invalidSecurityOpt(text, reason: "Berth does not apply SELinux labels", at: entry.location))
        default:
            diagnostics.append(ManifestDiagnostics.unknownSecurityOpt(text, key: key, at: entry.location))
        }
    }

    /// `CAP_NAME`, `name` or `ALL`, any case → `CAP_NAME` or `ALL`; unknown names are reported.
    private mutating func capabilities(_ field: String, _ list: Located<[Located<String>]>?) -> [String] {
        var names: [String] = []
        for entry in list?.value ?? [] {
            let upper = entry.value.uppercased()
            let name = upper == "ALL" || upper.hasPrefix("CAP_") ? upper : "CAP_" + upper
            guard name == "ALL" || LinuxCapability.all.contains(name) else {
                diagnostics.append(ManifestDiagnostics.unknownCapability(field, entry.value, at: entry.location))
                continue
            }
            if !names.contains(name) { names.append(name) }
        }
        return names
    }

    private mutating func sysctls(_ entries: [(key: Located<String>, value: Located<String>?)], container c: ContainerDefinition) -> [String: String]
    {
        var result: [String: String] = [:]
        let sharesNetwork = c.netHost || c.withNamespaces.contains { $0.type == .network }
        for (key, value) in entries {
            guard let value else {
                diagnostics.append(ManifestDiagnostics.sysctlWithoutValue(key.value, at: key.location))
                continue
            }
            let name = key.value
            if let problem = ValueRules.sysctlProblem(name, value: value.value) {
                diagnostics.append(ManifestDiagnostics.invalidSysctl(name, reason: problem, at: key.location))
            } else if name.hasPrefix("net."), sharesNetwork {
                diagnostics.append(
                    ManifestDiagnostics.invalidSysctl(
                        name, reason: "the container has no network namespace of its own (`net-host` or a `with-ns` network join)",
                        at: key.location))
            } else {
                result[name] = value.value
            }
        }
        return result
    }

    private mutating func ulimits(_ entries: [UlimitDescription]) -> [Ulimit] {
        var result: [Ulimit] = []
        for entry in entries {
            let name = entry.name.value
            guard Ulimit.names.contains(name) else {
                diagnostics.append(ManifestDiagnostics.unknownUlimit(name, at: entry.name.location))
                continue
            }
            guard let soft = entry.soft, let hard = entry.hard else { continue }
            guard let softValue = Self.limitValue(soft.value), let hardValue = Self.limitValue(hard.value) else {
                diagnostics.append(ManifestDiagnostics.invalidUlimit(name, reason: "values are 0 or more, or -1 for unlimited", at: soft.location))
                continue
            }
            guard softValue <= hardValue else {
                diagnostics.append(
                    ManifestDiagnostics.invalidUlimit(name, reason: "soft \(soft.value) is above hard \(hard.value)", at: soft.location))
                continue
            }
            result.append(Ulimit(name: name, soft: softValue, hard: hardValue))
        }
        return result.sorted { $0.name < $1.name }
    }

    private static func limitValue(_ value: Int64) -> UInt64? {
        value == -1 ? UInt64.max : (value >= 0 ? UInt64(value) : nil)
    }

    /// `HOST[:CONTAINER[:PERMISSIONS]]`: a host path under /dev, a container path, a subset of `rwm`.
    private mutating func device(_ entry: Located<String>) -> DeviceMapping? {
        let parts = entry.value.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard (1...3).contains(parts.count) else {
            diagnostics.append(ManifestDiagnostics.invalidDevice(entry.value, reason: "expected HOST[:CONTAINER[:PERMISSIONS]]", at: entry.location))
            return nil
        }
        var permissions = "rwm"
        var containerPath = parts[0]
        if parts.count == 2, Self.isPermissions(parts[1]) {
            permissions = parts[1]
        } else if parts.count >= 2 {
            containerPath = parts[1]
        }
        if parts.count == 3 { permissions = parts[2] }
        let host = parts[0]
        if !host.hasPrefix("/dev/") || !ValueRules.isCleanAbsolute(host) {
            diagnostics.append(
                ManifestDiagnostics.invalidDevice(entry.value, reason: "the host path must be a clean absolute path under /dev", at: entry.location))
            return nil
        }
        if !ValueRules.isCleanAbsolute(containerPath) || containerPath == "/" {
            diagnostics.append(
                ManifestDiagnostics.invalidDevice(entry.value, reason: "the container path must be a clean absolute path", at: entry.location))
            return nil
        }
        guard Self.isPermissions(permissions) else {
            diagnostics.append(
                ManifestDiagnostics.invalidDevice(entry.value, reason: "permissions are letters of `rwm`, each once", at: entry.location))
            return nil
        }
        let ordered = String("rwm".filter { permissions.contains($0) })
        return DeviceMapping(hostPath: host, containerPath: containerPath, permissions: ordered)
    }

    private static func isPermissions(_ text: String) -> Bool {
        !text.isEmpty && text.allSatisfy { "rwm".contains($0) } && Set(text).count == text.count
    }

    /// `/run:size=64m,mode=1777` → a tmpfs mount with docker's `noexec,nosuid,nodev` before the options.
    private mutating func tmpfs(_ entry: Located<String>) -> MountDefinition? {
        let text = entry.value
        let colon = text.firstIndex(of: ":")
        let destination = colon.map { String(text[..<$0]) } ?? text
        let options = colon.map { text[text.index(after: $0)...].split(separator: ",", omittingEmptySubsequences: false).map(String.init) } ?? []
        guard ValueRules.isCleanAbsolute(destination), destination != "/" else {
            diagnostics.append(
                ManifestDiagnostics.invalidTmpfs(text, reason: "the path must be a clean absolute path other than /", at: entry.location))
            return nil
        }
        if let bad = options.first(where: { $0.isEmpty || $0.contains(where: { $0.isWhitespace || $0 == "\0" }) }) {
            diagnostics.append(ManifestDiagnostics.invalidTmpfs(text, reason: "option `\(bad)` is empty or has spaces", at: entry.location))
            return nil
        }
        return MountDefinition(type: "tmpfs", source: "tmpfs", destination: destination, options: KernelOptions.tmpfsDefaultOptions + options)
    }

    /// `ipc`/`pid`: a mode, `host`, or `container:NAME` (a namespace join, like `with-ns`, and a dependency).
    private mutating func namespaceMode(
        _ field: String, _ value: Located<String>?, type: NamespaceType, modes: [String],
        into options: inout KernelOptions, c: inout ContainerDefinition
    ) {
        guard let value else { return }
        if value.value.hasPrefix("container:") {
            let name = String(value.value.dropFirst("container:".count))
            if c.withNamespaces.contains(where: { $0.type == type }) {
                diagnostics.append(ManifestDiagnostics.bothSpellings(field, "with-ns \(type.rawValue)", at: value.location))
            } else {
                c.withNamespaces.append(NamespaceJoin(type: type, target: .container(name)))
            }
            return
        }
        guard modes.contains(value.value) else {
            diagnostics.append(ManifestDiagnostics.invalidNamespaceMode(field, value.value, valid: modes + ["container:NAME"], at: value.location))
            return
        }
        if value.value == "host" {
            if c.withNamespaces.contains(where: { $0.type == type }) {
                diagnostics.append(ManifestDiagnostics.bothSpellings(field, "with-ns \(type.rawValue)", at: value.location))
            }
            options.hostNamespaces.append(type)
        } else {
            options.ipcMode = value.value
        }
    }
}
