import BerthSystem
import Diagnostics
import OCI

/// Every manifest diagnostic is built here so the wording stays consistent and is tested in one place.
enum ManifestDiagnostics {
    typealias Loc = SourceLocation

    // MARK: YAML structure

    static func syntax(_ problem: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "invalid YAML: \(problem)")
    }
    static func emptyManifest(at loc: Loc) -> Diagnostic {
        .error(at: loc, "the manifest is empty; expected a map with `version` and `containers`")
    }
    static func duplicateKey(_ key: String, at loc: Loc, firstAt first: Loc) -> Diagnostic {
        .error(at: loc, "duplicate key `\(key)` (first defined at line \(first.line), column \(first.column))")
    }
    static func unknownKey(_ key: String, in context: String, valid: [String], at loc: Loc) -> Diagnostic {
        if let guess = EditDistance.suggestion(for: key, among: valid) {
            return .error(at: loc, "unknown key `\(key)` in \(context); did you mean `\(guess)`?")
        }
        return .error(at: loc, "unknown key `\(key)` in \(context); expected one of: \(valid.sorted().joined(separator: ", "))")
    }
    static func wrongType(_ field: String, expected: String, got: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "`\(field)`: expected \(expected), got \(got)")
    }
    static func missingKey(_ key: String, in context: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "missing required key `\(key)` in \(context)")
    }
    static func nonStringKey(got: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "keys must be strings, got \(got)")
    }
    static func interpolation(_ message: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, message)
    }

    // MARK: Project

    static func missingVersion(at loc: Loc) -> Diagnostic {
        .error(
            at: loc, "missing required key `version`; supported versions: \(ManifestRules.supportedVersions.map(String.init).joined(separator: ", "))"
        )
    }
    static func unsupportedVersion(_ value: String, at loc: Loc) -> Diagnostic {
        .error(
            at: loc, "unsupported version `\(value)`; supported versions: \(ManifestRules.supportedVersions.map(String.init).joined(separator: ", "))"
        )
    }
    static func invalidName(_ kind: NameKind, _ value: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "invalid \(kind.rawValue) name \(Names.quoted(value)): use \(kind.ruleInWords)")
    }
    static func underivableProjectName(_ directory: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "cannot derive a project name from directory `\(directory)`; set `name`")
    }
    static func noContainers(at loc: Loc) -> Diagnostic {
        .error(at: loc, "no containers defined; add at least one under `containers`")
    }

    // MARK: Container fields

    static func imageAndRootfs(_ container: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "container `\(container)` sets both `image` and `rootfs`; use one of them")
    }
    static func missingImage(_ container: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "container `\(container)` needs `image`, `rootfs` or `checkpoint`")
    }
    static func invalidReference(_ field: String, _ value: String, reason: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "invalid `\(field)` reference `\(value)`: \(reason)")
    }
    static func emptyValue(_ field: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "`\(field)` must not be empty")
    }
    static func notAbsolute(_ field: String, _ value: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "`\(field)` must be an absolute path, got `\(value)`")
    }
    static func envEntryWithoutEquals(_ entry: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "env entry `\(entry)` has no `=`; write `\(entry)=value`")
    }
    static func envEmptyKey(_ entry: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "env entry `\(entry)` has an empty name")
    }
    static func invalidMemoryLimit(_ value: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "invalid `memory-limit` `\(value)`: expected a positive number of bytes with an optional k, m or g suffix (e.g. 64m)")
    }
    static func notPositive(_ field: String, _ value: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "`\(field)` must be greater than 0, got \(value)")
    }
    static func tooLarge(_ field: String, _ value: String, limit: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "`\(field)` \(value) is too large: at most \(limit) (the kernel's CFS quota limit is about 1.7e8 CPUs)")
    }
    static func invalidRuntime(_ value: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "invalid `runtime` `\(value)`: use `runc`, `crun` or an absolute path to an OCI runtime binary")
    }
    static func invalidRestore(_ value: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "invalid `restore` `\(value)`: use `filesystem` (files only) or `process` (files and process state)")
    }
    static func restoreWithoutCheckpoint(at loc: Loc) -> Diagnostic {
        .error(at: loc, "`restore` needs `checkpoint`: it says what to bring back from the checkpoint image")
    }
    static func invalidPull(_ value: String, at loc: Loc) -> Diagnostic {
        let guess = EditDistance.suggestion(for: value, among: ManifestRules.pullPolicies).map { "; did you mean `\($0)`?" } ?? ""
        return .error(at: loc, "invalid `pull` `\(value)`: use `missing`, `always` or `never`\(guess)")
    }
    static func invalidSnapshotter(_ value: String, at loc: Loc) -> Diagnostic {
        let guess = EditDistance.suggestion(for: value, among: ManifestRules.snapshotters).map { "; did you mean `\($0)`?" } ?? ""
        return .error(at: loc, "invalid `snapshotter` `\(value)`: use `overlayfs` or `native`\(guess)")
    }
    static func invalidUser(_ value: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "invalid `user` `\(value)`: use `name`, `uid`, `uid:gid` or `name:group`")
    }
    static func invalidHostname(_ value: String, at loc: Loc) -> Diagnostic {
        .error(
            at: loc,
            "invalid `hostname` `\(value)`: use dot-separated labels of letters, digits and `-` (1 to 63 each, not starting or ending with `-`), at most 253 characters"
        )
    }

    // MARK: Mounts

    static func mountSyntax(_ value: String, problem: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "invalid mount `\(value)`: \(problem)")
    }
    static func mountUnknownKey(_ key: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "mount key `\(key)` is not supported; use type, src, source, dst, destination or options")
    }
    static func mountMissing(_ field: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "mount has no `\(field)`")
    }
    static func bindHomeUnknown(_ value: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "bind source \(Names.quoted(value)) starts with `~`, but HOME is not set to an absolute path; set HOME or write the path out")
    }
    static func bindWithoutSource(at loc: Loc) -> Diagnostic {
        .error(at: loc, "bind mount has no `source`; name the host path to mount")
    }
    static func mountDestinationRelative(_ value: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "mount destination must be an absolute path, got `\(value)`")
    }

    // MARK: Namespaces

    static func namespaceNotTypePath(_ value: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "`with-ns` entry `\(value)` is not `type:path` (e.g. network:/var/run/netns/blue)")
    }
    static func unknownNamespaceType(_ value: String, at loc: Loc) -> Diagnostic {
        let guess = ManifestRules.namespaceAliases[value] ?? EditDistance.suggestion(for: value, among: ManifestRules.namespaceTypes)
        let hint = guess.map { "did you mean `\($0)`? " } ?? ""
        return .error(at: loc, "unknown namespace type `\(value)`; \(hint)valid types: \(ManifestRules.namespaceTypes.joined(separator: ", "))")
    }
    static func namespaceTarget(at loc: Loc) -> Diagnostic {
        .error(at: loc, "`with-ns` entry needs exactly one of `path` or `container`")
    }
    static func namespaceDuplicate(_ type: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "namespace `\(type)` is joined more than once")
    }
    static func netHostConflict(at loc: Loc) -> Diagnostic {
        .error(at: loc, "`net-host` and a `with-ns` network namespace conflict; use one of them")
    }

    // MARK: Networks

    static func invalidSubnet(_ value: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "invalid `subnet` `\(value)`: expected an IPv4 network such as 10.89.1.0/24 (no host bits set, prefix 8 to 30)")
    }
    static func invalidAddress(_ field: String, _ value: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "invalid `\(field)` `\(value)`: expected an IPv4 address such as 10.89.1.5")
    }
    static func addressOutsideSubnet(_ field: String, _ value: String, subnet: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "`\(field)` \(value) is not a host address of the network's subnet \(subnet)")
    }
    static func fixedAddressWithoutSubnet(_ network: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "`ipv4-address` on network `\(network)` needs the network's `subnet` to be declared")
    }
    static func overlappingSubnets(_ a: String, _ subnetA: String, _ b: String, _ subnetB: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "subnet \(subnetB) of network `\(b)` overlaps \(subnetA) of network `\(a)`; give each network its own range")
    }
    static func externalWithSettings(_ network: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "network `\(network)` is `external`: its subnet, gateway and internal are the other project's; remove them")
    }
    static func invalidExternal(_ value: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "invalid `external` `\(value)`: name the other project's network as PROJECT_NETWORK (e.g. shop_default)")
    }
    static func unknownNetwork(_ name: String, known: [String], at loc: Loc) -> Diagnostic {
        let hint = EditDistance.suggestion(for: name, among: known).map { "; did you mean `\($0)`?" } ?? ""
        let declared = known.isEmpty ? "none is declared" : "declared: \(known.joined(separator: ", "))"
        return .error(at: loc, "network `\(name)` is not declared under the top-level `networks:` (\(declared))\(hint)")
    }
    static func addressIsGateway(_ value: String, network: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "`ipv4-address` \(value) is the gateway of network `\(network)`; pick another host address of its subnet")
    }
    static func networkingConflict(_ what: String, _ with: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "`\(what)` cannot be used with \(with)")
    }
    static func invalidPort(_ value: String, problem: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "invalid port `\(value)`: \(problem)")
    }
    static func portConflict(_ mapping: String, container: String, other: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "host port \(mapping) of `\(container)` is already published by `\(other)`; choose another published port")
    }
    static func invalidExtraHost(_ value: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "invalid `extra-hosts` entry `\(value)`: expected NAME:IPV4 or NAME:host-gateway")
    }
    static func invalidNameServer(_ value: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "invalid `dns` server `\(value)`: expected an IPv4 address")
    }

    // MARK: Volumes

    static func externalVolumeWithSettings(_ volume: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "volume `\(volume)` is external: another project made it, so it takes no `labels` or `driver-opts` here")
    }
    static func unsupportedDriverOpts(_ volume: String, at loc: Loc) -> Diagnostic {
        .error(
            at: loc,
            "volume `\(volume)`: the only `driver-opts` Berth carries out are the local driver's bind form {type: none, o: bind, device: PATH}")
    }
    static func volumeWithoutSource(at loc: Loc) -> Diagnostic {
        .error(at: loc, "a `type: volume` mount needs `source`: the name of a volume declared under the top-level `volumes:`")
    }
    static func unknownVolume(_ name: String, known: [String], at loc: Loc) -> Diagnostic {
        let hint = EditDistance.suggestion(for: name, among: known).map { "; did you mean `\($0)`?" } ?? ""
        return .error(at: loc, "volume `\(name)` is not declared under the top-level `volumes:`\(hint)")
    }
    static func invalidSubpath(_ value: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "invalid `subpath` `\(value)`: a relative path inside the volume, without `..` or empty components")
    }
    static func subpathNotOnVolume(at loc: Loc) -> Diagnostic {
        .error(at: loc, "`subpath` is for `type: volume` mounts only; for a bind mount, name the directory in `source`")
    }
    static func invalidShortMount(_ value: String, at loc: Loc) -> Diagnostic {
        .error(
            at: loc,
            "invalid mount `\(value)`: expected VOLUME:/container/path[:ro|rw], /host/path:/container/path[:ro|rw], or ctr's type=…,src=…,dst=…,options=… form"
        )
    }

    static func unbalancedQuotes(_ field: String, _ value: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "`\(field)` `\(value)` has an unclosed quote or a trailing backslash; close it, or write the words as a list")
    }
    static func argsWithCommand(at loc: Loc) -> Diagnostic {
        .error(
            at: loc,
            "`args` replaces the image's Entrypoint and Cmd (as ctr does); `entrypoint` and `command` replace one each (as docker does): use one way, not both"
        )
    }

    static func buildPlatform(_ value: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "build platform `\(value)` is not this host's (\(ManifestRules.hostPlatforms[0])): Berth builds for the host only")
    }
    static func buildWithoutContext(at loc: Loc) -> Diagnostic {
        .error(at: loc, "`build` needs `context` (a directory, relative to the manifest) unless `dockerfile-inline` is given")
    }

    // MARK: Secrets and configs

    static func secretSource(_ kind: String, _ name: String, at loc: Loc) -> Diagnostic {
        .error(
            at: loc,
            "\(kind) `\(name)` needs exactly one source: `file: PATH` (relative to the manifest) or `environment: VARIABLE`\(kind == "config" ? " or `content: TEXT`" : "")"
        )
    }
    static func unknownSecret(_ kind: String, _ name: String, known: [String], at loc: Loc) -> Diagnostic {
        let hint = EditDistance.suggestion(for: name, among: known).map { "; did you mean `\($0)`?" } ?? ""
        return .error(at: loc, "\(kind) `\(name)` is not declared under the top-level `\(kind)s:`\(hint)")
    }
    static func invalidSecretTarget(_ value: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "invalid `target` `\(value)`: a file name or an absolute path without `..`")
    }
    static func invalidOwner(_ field: String, _ value: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "invalid `\(field)` `\(value)`: a number from 0 to 4294967294")
    }
    static func invalidMode(_ value: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "invalid `mode` `\(value)`: permission bits in octal such as 0400 or 0440 (at most 0777)")
    }
    static func duplicateTarget(_ target: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "two secrets or configs are mounted at `\(target)`")
    }

    // MARK: Services

    static func invalidRestart(_ value: String, at loc: Loc) -> Diagnostic {
        let guess = EditDistance.suggestion(for: value, among: ManifestRules.restartPolicies).map { "; did you mean `\($0)`?" } ?? ""
        return .error(
            at: loc, "invalid `restart` `\(value)`: use `no`, `on-failure`, `on-failure:N` (N ≥ 0 restarts), `always` or `unless-stopped`\(guess)")
    }
    static func invalidDuration(_ field: String, _ value: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "invalid `\(field)` `\(value)`: expected a duration such as `30s`, `1m30s`, `500ms` or a number of seconds")
    }
    static func durationTooShort(_ field: String, _ value: String, minimum: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "`\(field)` `\(value)` is too short: at least \(minimum)")
    }
    static func invalidSignal(_ value: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "invalid `stop-signal` `\(value)`: use a signal name such as `SIGTERM`, `SIGINT`, `SIGQUIT` or a number from 1 to 64")
    }
    static func healthTest(_ problem: String, at loc: Loc) -> Diagnostic {
        .error(
            at: loc,
            "invalid healthcheck `test`: \(problem); use [\"CMD\", \"program\", \"arg\"…], [\"CMD-SHELL\", \"shell command\"], a shell command string, or `disable: true`"
        )
    }
    static func healthTestMissing(at loc: Loc) -> Diagnostic {
        .error(at: loc, "`healthcheck` needs `test` (or `disable: true` to turn the image's check off)")
    }
    static func invalidRetries(_ value: Int64, at loc: Loc) -> Diagnostic {
        .error(at: loc, "healthcheck `retries` must be 1 or more, got \(value)")
    }
    static func invalidCondition(_ value: String, at loc: Loc) -> Diagnostic {
        let guess = EditDistance.suggestion(for: value, among: ManifestRules.dependencyConditions).map { "; did you mean `\($0)`?" } ?? ""
        return .error(at: loc, "invalid `condition` `\(value)`: use `started`, `healthy` or `completed-successfully`\(guess)")
    }

    // MARK: References between containers

    static func unknownContainer(_ field: String, _ name: String, known: [String], at loc: Loc) -> Diagnostic {
        let hint = EditDistance.suggestion(for: name, among: known).map { "; did you mean `\($0)`?" } ?? ""
        return .error(at: loc, "`\(field)` names container `\(name)`, which is not defined in this manifest\(hint)")
    }
    static func selfReference(_ field: String, _ name: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "container `\(name)` cannot name itself in `\(field)`")
    }
    static func duplicateEntry(_ field: String, _ value: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "`\(field)` lists `\(value)` more than once")
    }
    static func dependencyCycle(_ cycle: [String], at loc: Loc) -> Diagnostic {
        .error(at: loc, "dependency cycle: \(cycle.joined(separator: " -> "))")
    }

    // MARK: Files read for the manifest (.env, env-files)

    static func envFileLineWithoutEquals(_ line: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "line `\(line)` is not `KEY=VALUE`")
    }

    // MARK: Host checks

    static func missingHostPath(_ field: String, _ path: String, at loc: Loc?) -> Diagnostic {
        .error(at: loc, "`\(field)` path `\(path)` does not exist on this host")
    }
    static func notADirectory(_ field: String, _ path: String, at loc: Loc?) -> Diagnostic {
        .error(at: loc, "`\(field)` path `\(path)` is not a directory")
    }
    static func notANamespace(_ path: String, at loc: Loc?) -> Diagnostic {
        .error(at: loc, "`with-ns` path `\(path)` is not a namespace file (expected e.g. /proc/PID/ns/net or /var/run/netns/NAME)")
    }
    static func namespaceTypeMismatch(_ path: String, declared: String, actual: String, at loc: Loc?) -> Diagnostic {
        .error(at: loc, "`with-ns` path `\(path)` is a \(actual) namespace, not a \(declared) namespace")
    }
    static func runtimeNotFound(_ name: String, at loc: Loc?) -> Diagnostic {
        .error(at: loc, "runtime `\(name)` was not found in PATH; install it or set `runtime` to an absolute path")
    }
    static func runtimeNotExecutable(_ path: String, at loc: Loc?) -> Diagnostic {
        .error(at: loc, "runtime `\(path)` is not an executable file")
    }
    static func unreadableFile(_ field: String, _ path: String, reason: String, at loc: Loc?) -> Diagnostic {
        .error(at: loc, "cannot read `\(field)` file `\(path)`: \(reason)")
    }
}

extension ManifestDiagnostics {
    static func rootNotMap(got: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "the manifest must be a map with `version` and `containers`, got \(got)")
    }
}

extension ManifestDiagnostics {
    static func envFileProblem(_ path: String, line: Int, problem: String, at loc: Loc?) -> Diagnostic {
        .error(at: loc, "env-file `\(path)` line \(line): \(problem)")
    }
}

// MARK: Security

extension ManifestDiagnostics {
    static func bothSpellings(_ field: String, _ other: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "`\(field)` and `\(other)` both set the same thing; keep one")
    }
    static func invalidSeccomp(_ value: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "`seccomp` \(Names.quoted(value)) is not `default`, `unconfined` or a path to an OCI seccomp JSON file")
    }
    static func invalidSecurityOpt(_ value: String, reason: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "`security-opt` \(Names.quoted(value)): \(reason)")
    }
    static func unknownSecurityOpt(_ value: String, key: String, at loc: Loc) -> Diagnostic {
        let valid = ManifestRules.securityOptKeys
        if let guess = EditDistance.suggestion(for: key, among: valid) {
            return .error(at: loc, "unknown `security-opt` \(Names.quoted(value)); did you mean `\(guess)`?")
        }
        return .error(at: loc, "unknown `security-opt` \(Names.quoted(value)); expected one of: \(valid.joined(separator: ", "))")
    }
    static func noAppArmor(_ value: String, at loc: Loc, isError: Bool) -> Diagnostic {
        let message = "`security-opt` \(Names.quoted(value)): Berth applies no AppArmor profile"
        return isError ? .error(at: loc, message + "; remove the option") : .warning(at: loc, message + ", so the container is unconfined anyway")
    }
    static func unknownCapability(_ field: String, _ value: String, at loc: Loc) -> Diagnostic {
        let upper = value.uppercased()
        let name = upper.hasPrefix("CAP_") ? upper : "CAP_" + upper
        if let guess = EditDistance.suggestion(for: name, among: LinuxCapability.all.map { $0.lowercased() }) {
            return .error(at: loc, "`\(field)`: unknown capability \(Names.quoted(value)); did you mean `\(guess.uppercased())`?")
        }
        return .error(at: loc, "`\(field)`: unknown capability \(Names.quoted(value)); use a Linux capability name such as CAP_NET_ADMIN, or ALL")
    }
    static func sysctlWithoutValue(_ entry: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "`sysctls` entry \(Names.quoted(entry)) is not `NAME=VALUE`")
    }
    static func invalidSysctl(_ name: String, reason: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "`sysctls`: \(Names.quoted(name)) cannot be set: \(reason)")
    }
    static func unknownUlimit(_ name: String, at loc: Loc) -> Diagnostic {
        if let guess = EditDistance.suggestion(for: name, among: Ulimit.names) {
            return .error(at: loc, "unknown ulimit \(Names.quoted(name)); did you mean `\(guess)`?")
        }
        return .error(at: loc, "unknown ulimit \(Names.quoted(name)); expected one of: \(Ulimit.names.joined(separator: ", "))")
    }
    static func ulimitIncomplete(_ name: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "ulimit `\(name)` needs both `soft` and `hard` (or one number for both)")
    }
    static func invalidUlimit(_ name: String, reason: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "ulimit `\(name)`: \(reason)")
    }
    static func invalidDevice(_ value: String, reason: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "`devices` entry \(Names.quoted(value)): \(reason)")
    }
    static func invalidTmpfs(_ value: String, reason: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "`tmpfs` entry \(Names.quoted(value)): \(reason)")
    }
    static func invalidSize(_ field: String, _ value: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "`\(field)` \(Names.quoted(value)) is not a positive size (bytes, or a number with k, m or g)")
    }
    static func invalidGroup(_ value: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "`group-add` \(Names.quoted(value)) is not a group name or gid")
    }
    static func outOfRange(_ field: String, _ value: String, range: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "`\(field)` \(value) is out of range (\(range))")
    }
    static func invalidNamespaceMode(_ field: String, _ value: String, valid: [String], at loc: Loc) -> Diagnostic {
        if let guess = EditDistance.suggestion(for: value, among: valid) {
            return .error(at: loc, "`\(field)` \(Names.quoted(value)) is not valid; did you mean `\(guess)`?")
        }
        return .error(at: loc, "`\(field)` \(Names.quoted(value)) is not valid; expected one of: \(valid.joined(separator: ", "))")
    }
    static func foreignPlatform(_ value: String, host: String, at loc: Loc) -> Diagnostic {
        .error(at: loc, "`platform` \(Names.quoted(value)) is not this host's (\(host)); Berth runs images natively only")
    }
    static func missingDevice(_ path: String, at loc: Loc?) -> Diagnostic {
        .error(at: loc, "`devices` path `\(path)` is not a device node on this host")
    }
    static func ulimitAboveHost(_ name: String, _ hard: UInt64, host: UInt64, at loc: Loc?) -> Diagnostic {
        .error(
            at: loc,
            "ulimit `\(name)` hard \(hard == UInt64.max ? "unlimited" : String(hard)) is above this host's limit for Berth (\(host)), which it cannot raise without CAP_SYS_RESOURCE; use \(host) or less"
        )
    }
    static func oomScoreBelowHost(_ score: Int, host: Int, at loc: Loc?) -> Diagnostic {
        .error(
            at: loc, "`oom-score-adj` \(score) is below Berth's own (\(host)), which it cannot lower without CAP_SYS_RESOURCE; use \(host) or more")
    }
    static func unreadableSeccomp(_ path: String, reason: String, at loc: Loc?) -> Diagnostic {
        .error(at: loc, "`seccomp` profile `\(path)`: \(reason)")
    }
}
