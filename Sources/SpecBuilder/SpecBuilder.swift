import Diagnostics
import Foundation
import OCI

/// Turns one planned container into the OCI runtime spec (config.json) runc runs, as containerd's
/// current `ctr run` would generate it on Linux.
///
/// Steps, in ctr's order: the default spec (or the `config` file, see below) → env-files, then `env`
/// → `mounts` (each replaces a mount with the same destination) → root path and the image config
/// (image Env is the base the manifest env overrides; Entrypoint+Cmd; WorkingDir; User) → `readonly`
/// → `args` → `cwd` → `user` → `tty` → `privileged` → `net-host` → `cpus` → `with-ns` →
/// `memory-limit` → `hostname` → `pids-limit` → annotations → the security and kernel options
/// (`SpecBuilder+Security.swift`: capabilities, then seccomp for the capabilities that result).
///
/// `linux.cgroupsPath` is always `/berth/<state root id>/<project>/<container>` (containerd uses `/<namespace>/<id>`).
/// The input is a definition the manifest validator accepted: the rules it checks (namespace types, `net-host`
/// with a network join, a bind mount without a source, …) are not checked again here.
///
/// `config` (a base spec file): the file takes the place of the default spec, including the default
/// device rules and `cpu.shares` ctr adds to it. Then the steps above run on it: the manifest env
/// overrides the file's env by key and the image env is the base under both; manifest mounts replace
/// file mounts with the same destination; the image sets args, cwd and user only where the image
/// has them (no Entrypoint/Cmd keeps the file's args); every manifest field that is set wins over
/// the file. Berth always sets `root.path` and `cgroupsPath`; the file's `ociVersion` is kept.
/// A field of the file that Berth's `RuntimeSpec` does not model is an `invalid-config` error, never dropped.
public enum SpecBuilder {
    /// Annotation carrying the image's stop signal (`SIGTERM` when the image sets none), as the
    /// container label containerd adds. Set for image containers only; it wins over manifest labels.
    public static let stopSignalAnnotation = "io.containerd.image.config.stop-signal"

    /// Builds the spec, or throws a `SpecError` naming the value that did not resolve.
    public static func build(_ input: SpecInput) throws -> RuntimeSpec {
        let container = input.container
        let fromFile = container.baseSpecFile != nil || input.baseSpec != nil
        var draft: SpecDraft
        if let base = input.baseSpec {
            draft = SpecDraft(base)
        } else if let path = container.baseSpecFile {
            draft = SpecDraft(try BaseSpecFile.load(path, at: container.locations["config"]))
        } else {
            draft = SpecDraft(DefaultSpec.make())
        }
        draft.linux.cgroupsPath = cgroupsPath(stateRootID: input.stateRootID, project: input.project, container: container.name)
        draft.root.path = container.rootPath

        var env = draft.env
        for file in container.envFiles {
            env = Environment.replaceOrAppend(env, try readEnvFile(file, container: container))
        }
        draft.env = Environment.replaceOrAppend(env, container.env)
        applyMounts(try resolveVolumes(container.mounts, paths: input.volumePaths, container: container), to: &draft)
        if !container.secretMounts.isEmpty {
            guard let directory = input.secretsDirectory else {
                throw SpecError(.runtime, "no-secrets-directory", "container \(container.name): no directory for its secrets and configs")
            }
            applyMounts(
                container.secretMounts.map {
                    OCIMount(
                        destination: $0.target, type: "bind", source: directory + "/" + $0.fileName,
                        options: ["rbind", "ro", "nosuid", "nodev", "noexec"])
                }, to: &draft)
        }

        let users = UserDatabase(rootfsPath: input.rootfsPath)
        if let image = input.imageConfig {
            try applyImageConfig(image.config, container: container, fromFile: fromFile, users: users, to: &draft)
        }
        if container.readonlyRoot { draft.root.readonly = true }
        if let args = container.args { draft.process.args = args }
        if container.entrypoint != nil || container.command != nil {
            // As docker: a new Entrypoint drops the image's Cmd; a command alone keeps the image's Entrypoint.
            let image = input.imageConfig?.config
            let entrypoint = container.entrypoint ?? image?.entrypoint ?? []
            let command = container.command ?? (container.entrypoint == nil ? image?.cmd ?? [] : [])
            draft.process.args = entrypoint + command
        }
        if let cwd = container.cwd { draft.process.cwd = cwd }
        if let user = container.user {
            try applyUser(user, lookupKey: user, users: users, location: container.locations["user"], to: &draft)
        }
        if container.terminal {
            draft.process.terminal = true
            draft.env.append("TERM=xterm")
        }
        if container.privileged { applyPrivileged(capabilities: input.privilegedCapabilities, to: &draft) }
        if container.hostNetwork { applyNetHost(hostname: input.hostHostname, to: &draft) }
        applyCPUQuota(container.cpuQuota, to: &draft)
        try applyNamespaceJoins(container, peers: input.peerPIDs, to: &draft)
        applyLimits(container, to: &draft)
        if let network = input.network { applyNetwork(network, container: container, to: &draft) }
        if let files = input.joinedResolutionFiles { bindResolutionFiles(hosts: files.hosts, resolvConf: files.resolvConf, to: &draft) }
        if let hostname = container.hostname { draft.base.hostname = hostname }
        applyAnnotations(image: input.imageConfig, labels: container.labels, stopSignal: container.stopSignal, to: &draft)
        try applyKernelOptions(input, fromFile: fromFile, users: users, to: &draft)

        if (draft.process.args ?? []).isEmpty {
            throw SpecError.noCommand(container: container.name, at: container.locations["args"])
        }
        if container.initProcess { try applyInit(input.initBinary, container: container, to: &draft) }
        return draft.finish()
    }

    /// The mounts with each named volume's placeholder source replaced by its host directory.
    static func resolveVolumes(_ mounts: [OCIMount], paths: [String: String], container: ResolvedContainer) throws -> [OCIMount] {
        try mounts.map { mount in
            guard mount.type == "bind", let source = mount.source, source.hasPrefix(ResolvedContainer.volumeSourcePrefix) else { return mount }
            let reference = source.dropFirst(ResolvedContainer.volumeSourcePrefix.count)
            let name = String(reference.prefix { $0 != "/" })
            guard let path = paths[name] else {
                throw SpecError(
                    .runtime, "no-volume", "container \(container.name): volume \(name) has no directory yet (apply creates it)",
                    at: container.locations["mounts"])
            }
            var resolved = mount
            resolved.source = path + reference.dropFirst(name.count)
            return resolved
        }
    }

    /// Where `init: true` mounts the init: in the container's /dev tmpfs, so the image's files are untouched.
    public static let initPath = "/dev/init"

    /// `init: true`: the host's tini bound read-only at `initPath` and run as PID 1 in front of the command,
    /// signalling the command's whole process group (`-g`) and reaping zombies.
    static func applyInit(_ binary: String?, container: ResolvedContainer, to draft: inout SpecDraft) throws {
        guard let binary else {
            throw SpecError(
                .runtime, "no-init",
                "container \(container.name) has `init: true`, but no static tini was found (\(SpecInput.initBinaryCandidates.joined(separator: ", "))); install Debian's `tini` package",
                at: container.locations["init"])
        }
        draft.mounts.append(OCIMount(destination: initPath, type: "bind", source: binary, options: ["rbind", "ro", "nosuid", "nodev"]))
        draft.process.args = [initPath, "-g", "--"] + (draft.process.args ?? [])
    }

    /// The deterministic config.json bytes: sorted keys, two-space pretty printing, trailing newline.
    public static func encode(_ spec: RuntimeSpec) throws -> Data {
        try CanonicalJSON.encodePretty(spec)
    }

    /// `/berth/<state root id>/<project>/<container>`: one cgroup per container, under one per project,
    /// under one per state root.
    static func cgroupsPath(stateRootID: String, project: String, container: String) -> String {
        projectCgroupPath(stateRootID: stateRootID, project: project) + "/\(container)"
    }

    /// The cgroup that holds a project's containers: `/berth/<state root id>/<project>`.
    public static func projectCgroupPath(stateRootID: String, project: String) -> String {
        "/berth/\(stateRootID)/\(project)"
    }

    static func readEnvFile(_ path: String, container: ResolvedContainer) throws -> [String] {
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            return Environment.parseFile(String(decoding: data, as: UTF8.self))
        } catch {
            throw SpecError.unreadable(
                path, what: "env-file", code: "unreadable-env-file",
                at: container.locations["env-files"], cause: error)
        }
    }

    /// containerd's `WithImageConfig` (Linux), except that an image user is not resolved when the
    /// manifest sets `user` (it would be replaced anyway, and an unresolvable image USER should not fail).
    static func applyImageConfig(
        _ config: ImageConfiguration.ExecutionConfig?, container: ResolvedContainer,
        fromFile: Bool, users: UserDatabase, to draft: inout SpecDraft
    ) throws {
        let imageEnv = config?.env ?? []
        draft.env = Environment.replaceOrAppend(imageEnv.isEmpty ? [DefaultSpec.pathVariable] : imageEnv, draft.env)
        let imageArgs = (config?.entrypoint ?? []) + (config?.cmd ?? [])
        if !imageArgs.isEmpty { draft.process.args = imageArgs }
        if let dir = config?.workingDir, !dir.isEmpty { draft.process.cwd = dir }
        guard container.user == nil else { return }
        if let user = config?.user, !user.isEmpty {
            try applyUser(user, lookupKey: nil, users: users, location: container.locations["image"], to: &draft)
        } else if !fromFile {
            let resolver = UserResolver(database: users, location: container.locations["image"])
            draft.process.user.additionalGids = try resolver.additionalGids(for: "root", gid: draft.process.user.gid)
        }
    }

    /// `WithUser` then `WithAdditionalGIDs`: by the raw manifest string (`lookupKey`), or by the
    /// resolved uid for an image USER (nil), as containerd does.
    static func applyUser(
        _ value: String, lookupKey: String?, users: UserDatabase, location: SourceLocation?,
        to draft: inout SpecDraft
    ) throws {
        let resolver = UserResolver(database: users, location: location)
        let (uid, gid) = try resolver.resolve(value)
        draft.process.user.uid = uid
        draft.process.user.gid = gid
        draft.process.user.additionalGids = try resolver.additionalGids(for: lookupKey ?? String(uid), gid: gid)
    }
}
