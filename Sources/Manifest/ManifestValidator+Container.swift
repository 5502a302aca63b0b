import OCI
import BerthSystem
import Diagnostics

extension ManifestValidator {
    mutating func validateContainer(_ d: ContainerDescription) -> ContainerDefinition {
        let name = d.name.value
        if !Names.isValid(name, .container) {
            diagnostics.append(ManifestDiagnostics.invalidName(.container, name, at: d.name.location))
        }
        var c = ContainerDefinition(name: name)
        c.locations = locations(of: d)
        checkSource(d)
        c.image = reference("image", d.image)
        c.checkpoint = reference("checkpoint", d.checkpoint)
        if let args = d.args {
            if args.value.isEmpty { diagnostics.append(ManifestDiagnostics.emptyValue("args", at: args.location)) }
            c.args = args.value.map(\.value)
        }
        c.cwd = absolutePath("cwd", d.cwd)
        c.env = environment(d.env)
        c.envFiles = (d.envFiles?.value ?? []).map { ValueRules.absolute($0.value, in: directory) }
        c.mounts = (d.mounts?.value ?? []).compactMap { mount($0) }
        c.withNamespaces = namespaces(d)
        c.readonly = d.readonly?.value ?? false
        c.tty = d.tty?.value ?? false
        c.netHost = d.netHost?.value ?? false
        c.privileged = d.privileged?.value ?? false
        c.noPivot = d.noPivot?.value ?? false
        c.labels = Dictionary((d.labels?.value ?? []).map { ($0.key.value, $0.value.value) }, uniquingKeysWith: { _, last in last })
        c.user = checked(d.user, ValueRules.isValidUser, ManifestDiagnostics.invalidUser)
        c.hostname = checked(d.hostname, ValueRules.isValidHostname, ManifestDiagnostics.invalidHostname)
        c.memoryLimit = memoryLimit(d.memoryLimit)
        if let cpus = d.cpus {
            if cpus.value > 0, cpus.value.isFinite, cpus.value <= ValueRules.maxCPUs {
                c.cpus = cpus.value
            } else if cpus.value > ValueRules.maxCPUs {
                diagnostics.append(
                    ManifestDiagnostics.tooLarge("cpus", formatNumber(cpus.value), limit: formatNumber(ValueRules.maxCPUs), at: cpus.location))
            } else {
                diagnostics.append(ManifestDiagnostics.notPositive("cpus", formatNumber(cpus.value), at: cpus.location))
            }
        }
        if let pids = d.pidsLimit {
            if pids.value > 0 {
                c.pidsLimit = pids.value
            } else {
                diagnostics.append(ManifestDiagnostics.notPositive("pids-limit", String(pids.value), at: pids.location))
            }
        }
        if let runtime = d.runtime {
            if ManifestRules.runtimes.contains(runtime.value) || runtime.value.hasPrefix("/") {
                c.runtime = runtime.value.hasPrefix("/") ? ValueRules.clean(runtime.value) : runtime.value
            } else {
                diagnostics.append(ManifestDiagnostics.invalidRuntime(runtime.value, at: runtime.location))
            }
        }
        if let restore = d.restore {
            if let mode = RestoreMode(rawValue: restore.value) {
                if d.checkpoint == nil {
                    diagnostics.append(ManifestDiagnostics.restoreWithoutCheckpoint(at: restore.location))
                } else {
                    c.restore = mode
                }
            } else {
                diagnostics.append(ManifestDiagnostics.invalidRestore(restore.value, at: restore.location))
            }
        }
        if let pull = d.pull {
            if let policy = PullPolicy(rawValue: pull.value) {
                c.pull = policy
            } else {
                diagnostics.append(ManifestDiagnostics.invalidPull(pull.value, at: pull.location))
            }
        }
        if let snapshotter = d.snapshotter {
            if let kind = SnapshotterKind(rawValue: snapshotter.value) {
                c.snapshotter = kind
            } else {
                diagnostics.append(ManifestDiagnostics.invalidSnapshotter(snapshotter.value, at: snapshotter.location))
            }
        }
        c.rootfs = nonEmptyPath("rootfs", d.rootfs)
        c.config = nonEmptyPath("config", d.config)
        c.dependsOn = (d.dependsOn?.value ?? []).map(\.value)
        validateNetworking(d, into: &c)
        validateServices(d, into: &c)
        c.secretMounts = secretMounts(d.secrets, kind: .secret) + secretMounts(d.configs, kind: .config)
        c.build = d.build.flatMap { build($0) }
        c.entrypoint = d.entrypoint?.value.map(\.value)
        c.command = d.command?.value.map(\.value)
        if let args = d.args, d.entrypoint != nil || d.command != nil {
            diagnostics.append(ManifestDiagnostics.argsWithCommand(at: args.location))
        }
        validateKernelOptions(d, into: &c)
        return c
    }

    private func locations(of d: ContainerDescription) -> FieldLocations {
        var fields = d.fieldLocations
        for (key, list) in [("env-files", d.envFiles), ("depends-on", d.dependsOn), ("args", d.args)] {
            for (i, item) in (list?.value ?? []).enumerated() { fields["\(key)[\(i)]"] = item.location }
        }
        for (i, item) in (d.mounts?.value ?? []).enumerated() { fields["mounts[\(i)]"] = item.location }
        for (i, item) in (d.withNamespaces?.value ?? []).enumerated() { fields["with-ns[\(i)]"] = item.location }
        return FieldLocations(container: d.name.location, fields: fields)
    }

    /// `image` and `rootfs` are exclusive; one of them (or `checkpoint`) is required.
    private mutating func checkSource(_ d: ContainerDescription) {
        let has = { (key: String) in d.fieldLocations[key] != nil }
        if has("image"), has("rootfs"), let rootfs = d.fieldLocations["rootfs"] {
            diagnostics.append(ManifestDiagnostics.imageAndRootfs(d.name.value, at: rootfs))
        } else if !has("image"), !has("rootfs"), !has("checkpoint"), !has("build") {
            diagnostics.append(ManifestDiagnostics.missingImage(d.name.value, at: d.name.location))
        }
    }

    private mutating func reference(_ field: String, _ value: Located<String>?) -> String? {
        guard let value else { return nil }
        if let problem = ValueRules.referenceProblem(value.value) {
            diagnostics.append(ManifestDiagnostics.invalidReference(field, value.value, reason: problem, at: value.location))
        }
        return value.value
    }

    private mutating func absolutePath(_ field: String, _ value: Located<String>?) -> String? {
        guard let value else { return nil }
        if !value.value.hasPrefix("/") {
            diagnostics.append(ManifestDiagnostics.notAbsolute(field, value.value, at: value.location))
        }
        return value.value
    }

    private mutating func nonEmptyPath(_ field: String, _ value: Located<String>?) -> String? {
        guard let value else { return nil }
        if value.value.isEmpty { diagnostics.append(ManifestDiagnostics.emptyValue(field, at: value.location)) }
        return ValueRules.absolute(value.value, in: directory)
    }

    private mutating func checked(
        _ value: Located<String>?, _ isValid: (String) -> Bool,
        _ problem: (String, SourceLocation) -> Diagnostic
    ) -> String? {
        guard let value else { return nil }
        if !isValid(value.value) { diagnostics.append(problem(value.value, value.location)) }
        return value.value
    }

    private mutating func environment(_ env: Located<[EnvEntryDescription]>?) -> [String] {
        var pairs: [(key: String, value: String)] = []
        var lines: [String] = []
        for entry in env?.value ?? [] {
            switch entry {
            case let .pair(key, value):
                if key.value.isEmpty || key.value.contains("=") {
                    diagnostics.append(ManifestDiagnostics.envEmptyKey("\(key.value)=\(value.value)", at: key.location))
                }
                pairs.append((key.value, value.value))
            case let .line(line):
                guard let eq = line.value.firstIndex(of: "=") else {
                    diagnostics.append(ManifestDiagnostics.envEntryWithoutEquals(line.value, at: line.location))
                    continue
                }
                if eq == line.value.startIndex {
                    diagnostics.append(ManifestDiagnostics.envEmptyKey(line.value, at: line.location))
                }
                lines.append(line.value)
            }
        }
        return lines + pairs.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
    }

    private mutating func memoryLimit(_ value: Located<MemoryLimitDescription>?) -> Int64? {
        guard let value else { return nil }
        switch value.value {
        case .bytes(let bytes):
            if bytes > 0 { return bytes }
            diagnostics.append(ManifestDiagnostics.notPositive("memory-limit", String(bytes), at: value.location))
        case .text(let text):
            if let bytes = ValueRules.bytes(text), bytes > 0 { return bytes }
            diagnostics.append(ManifestDiagnostics.invalidMemoryLimit(text, at: value.location))
        }
        return nil
    }

    func formatNumber(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
