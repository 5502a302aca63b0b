import Diagnostics
import Manifest

/// One manifest container as a Pod's container entry, plus what it contributes to the Pod.
struct MappedContainer {
    var spec: [String: YAMLValue]
    var volumes: [YAMLValue]
    var hostNetwork: Bool
    var hostname: String?
    var labels: [String: String]
    var annotations: [String: String]
}

/// Maps the fields of one container that Kubernetes can express; reports the others.
struct ContainerMapper {
    let options: ExportOptions
    var warnings: ExportWarnings
    /// Volumes numbered across the Pod, so names stay unique and deterministic.
    var volumeCount = 0

    mutating func map(_ c: ContainerDefinition, name: String) throws -> MappedContainer {
        var spec: [String: YAMLValue] = ["name": .string(name), "image": .string(try image(of: c))]
        if let args = c.args { spec["command"] = .list(args.map { .string(Self.escapeExpansion($0)) }) }
        if let cwd = c.cwd { spec["workingDir"] = .string(cwd) }
        let env = try environment(of: c)
        if !env.isEmpty { spec["env"] = .list(env) }
        if c.tty {
            spec["tty"] = .bool(true)
            spec["stdin"] = .bool(true)
        }
        let security = try securityContext(of: c)
        if !security.isEmpty { spec["securityContext"] = .map(security) }
        let limits = resources(of: c)
        if !limits.isEmpty { spec["resources"] = .map(["limits": .map(limits), "requests": .map(limits)]) }
        let (mounts, volumes) = self.mounts(of: c)
        if !mounts.isEmpty { spec["volumeMounts"] = .list(mounts) }
        let (labels, annotations) = self.labels(of: c)
        return MappedContainer(
            spec: spec, volumes: volumes, hostNetwork: c.netHost, hostname: hostname(of: c),
            labels: labels, annotations: annotations)
    }

    /// The image as written, or `repository@digest` with pinning.
    private func image(of c: ContainerDefinition) throws -> String {
        guard let image = c.image else { return "" }
        guard let pinned = options.pinnedDigests else { return image }
        guard let digest = pinned[image] else {
            throw KubernetesExportError.missingDigest(image, container: c.name, at: c.locations["image"])
        }
        return Self.repository(of: image) + "@" + digest.description
    }

    /// `host/path:tag@digest` without its tag and digest.
    static func repository(of image: String) -> String {
        var name = Substring(image)
        if let at = name.firstIndex(of: "@") { name = name[..<at] }
        if let colon = name.lastIndex(of: ":"), !name[colon...].contains("/") { name = name[..<colon] }
        return String(name)
    }

    /// Kubernetes expands `$(VAR)` and folds `$$` in commands and env values; doubling a `$` that precedes
    /// `$` or `(` keeps the manifest's text literal.
    static func escapeExpansion(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        for (i, scalar) in scalars.enumerated() {
            out.append(scalar)
            if scalar == "$", i + 1 < scalars.count, scalars[i + 1] == "$" || scalars[i + 1] == "(" { out.append("$") }
        }
        return String(out)
    }

    /// env-files then `env`, later keys winning, sorted by name.
    private func environment(of c: ContainerDefinition) throws -> [YAMLValue] {
        var values: [String: String] = [:]
        for entry in try c.resolvedEnvironment() {
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            values[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        return values.keys.sorted().map { key in
            .map(["name": .string(key), "value": .string(Self.escapeExpansion(values[key] ?? ""))])
        }
    }

    private mutating func securityContext(of c: ContainerDefinition) throws -> [String: YAMLValue] {
        var context: [String: YAMLValue] = [:]
        if c.privileged { context["privileged"] = .bool(true) }
        if c.readonly { context["readOnlyRootFilesystem"] = .bool(true) }
        if let user = try numericUser(of: c) {
            context["runAsUser"] = .int(user.uid)
            if let gid = user.gid { context["runAsGroup"] = .int(gid) }
        }
        return context
    }

    /// `uid` and `uid:gid` map directly; names go through the resolver and the image's files.
    private func numericUser(of c: ContainerDefinition) throws -> NumericUser? {
        guard let user = c.user else { return nil }
        let location = c.locations["user"]
        let parts = user.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count <= 2, !parts.contains(where: \.isEmpty) else {
            throw KubernetesExportError.invalidUser(user, container: c.name, why: "expected user[:group]", at: location)
        }
        let ids = try parts.map { part -> Int64? in
            guard part.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            guard let n = Int64(part), n <= Int64(Int32.max) else {
                throw KubernetesExportError.invalidUser(user, container: c.name, why: "\(part) is out of range 0...\(Int32.max)", at: location)
            }
            return n
        }
        if let uid = ids[0], ids.count == 1 || ids[1] != nil {
            return NumericUser(uid: uid, gid: ids.count == 2 ? ids[1] : nil)
        }
        guard let image = c.image else {
            throw KubernetesExportError.unresolvedUser(user, container: c.name, why: "the container has no image", at: location)
        }
        guard let resolver = options.userResolver else {
            throw KubernetesExportError.unresolvedUser(user, container: c.name, why: "no image store to read /etc/passwd from", at: location)
        }
        let answer: NumericUser?
        do {
            answer = try resolver(image, user)
        } catch var error as KubernetesExportError {
            error.location = error.location ?? location
            throw error
        }
        guard let resolved = answer else {
            throw KubernetesExportError.unresolvedUser(
                user, container: c.name, why: "image \(image) is not unpacked (run `berth apply` once to unpack it)", at: location)
        }
        return resolved
    }

    private mutating func resources(of c: ContainerDefinition) -> [String: YAMLValue] {
        var limits: [String: YAMLValue] = [:]
        if let memory = c.memoryLimit { limits["memory"] = .string(Quantity.bytes(memory)) }
        if let cpus = c.cpus {
            if let cpu = Quantity.cpu(cpus) {
                limits["cpu"] = .string(cpu.text)
                if !cpu.exact {
                    warnings.leftOut("cpus \(cpus) rounded to \(cpu.text) (Kubernetes counts whole millicores)", at: c.locations["cpus"])
                }
            } else {
                warnings.leftOut(
                    "cpus \(cpus) is below one millicore, the smallest Kubernetes CPU limit; left out",
                    at: c.locations["cpus"])
            }
        }
        return limits
    }

    private mutating func hostname(of c: ContainerDefinition) -> String? {
        guard let hostname = c.hostname else { return nil }
        guard KubernetesNames.isDNSLabel(hostname) else {
            warnings.leftOut(
                "hostname \"\(hostname)\" is not a valid Kubernetes Pod hostname (RFC 1123 label); left out",
                at: c.locations["hostname"])
            return nil
        }
        return hostname
    }
}
