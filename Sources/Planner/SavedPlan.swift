import BerthSystem
import Diagnostics
import Foundation
import ImageStore
import Manifest
import OCI
import Registry

/// A plan written to a file by `berth plan -o FILE`, to be carried out later by `berth apply FILE`
/// exactly as planned. It records the state revision and the image digests it was made against.
public struct SavedPlan: Codable, Sendable {
    public static let currentFormat = "berth-plan/v3"

    public var format: String
    public var project: String
    public var manifest: String
    public var stateRevision: Int
    /// The planned containers, each with the validated manifest entry it was planned from.
    public var containers: [PlannedContainer]
    public var orphans: [PlannedOrphan]
    /// The manifest's network declarations; the networks themselves are planned again when applied.
    public var networks: [NetworkDefinition]
    /// The named volumes as planned.
    public var volumes: [PlannedVolume]?

    public init(_ plan: Plan) {
        format = Self.currentFormat
        project = plan.project
        manifest = plan.manifest
        stateRevision = plan.stateRevision
        containers = plan.containers
        orphans = plan.orphans
        networks = plan.declaredNetworks
        volumes = plan.volumes.isEmpty ? nil : plan.volumes
    }

    /// The plan to execute (its `networks` are planned again by `Planner.networks(of:inputs:)`).
    public var plan: Plan {
        var plan = Plan(project: project, manifest: manifest, stateRevision: stateRevision, containers: containers, orphans: orphans)
        plan.declaredNetworks = networks
        plan.volumes = volumes ?? []
        return plan
    }

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        if let key = PlannedContainer.includeDefinition { encoder.userInfo[key] = true }
        return try encoder.encode(self) + Data("\n".utf8)
    }

    /// The largest plan file read (a plan of hundreds of containers is well under a megabyte).
    public static let maximumFileSize = 16 << 20

    /// Reads a saved plan. It is untrusted input: a file that is not a plan, of another format version, or
    /// whose names, derived fields or definitions do not pass the rules a plan made by `berth plan` passes,
    /// is refused with the field that does not match.
    public static func load(path: String) throws -> SavedPlan {
        let data: Data
        do {
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            data = try handle.read(upToCount: maximumFileSize + 1) ?? Data()
        } catch {
            throw PlanError(code: "plan-file-unreadable", [.error(at: nil, "cannot read plan file \(path): \(SystemErrorText.of(error))")])
        }
        guard data.count <= maximumFileSize else {
            throw PlanError(
                code: "plan-file-invalid", [.error(at: nil, "plan file \(path) is larger than \(maximumFileSize >> 20) MiB; it is not a Berth plan")])
        }
        if let format = (try? JSONDecoder().decode(FormatOnly.self, from: data))?.format, format != currentFormat {
            throw PlanError(
                code: "plan-file-invalid",
                [.error(at: nil, "plan file \(path) has format \(Names.quoted(format)); this berth reads \(currentFormat); plan again")])
        }
        let saved: SavedPlan
        do {
            saved = try JSONDecoder().decode(SavedPlan.self, from: data)
        } catch {
            throw PlanError(
                code: "plan-file-invalid",
                [.error(at: nil, "\(path) is not a Berth plan (\(currentFormat)): \(Self.describe(error)); make one with `berth plan -o \(path)`")])
        }
        guard saved.format == currentFormat else {
            throw PlanError(code: "plan-file-invalid", [.error(at: nil, "\(path) is not a Berth plan (\(currentFormat))")])
        }
        let problems = saved.problems()
        guard problems.isEmpty else {
            throw PlanError(
                code: "plan-file-tampered",
                problems.map { .error(at: nil, "plan file \(path): \($0); refusing it (make a new one with `berth plan -o`)") })
        }
        return saved
    }

    private struct FormatOnly: Decodable {
        var format: String
    }

    /// What a decoding error says, with the path of the field (`containers[0].name`).
    private static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
                .trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(path(context)).\(key.stringValue) is missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(path(context)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }

    /// Every way this plan differs from one `berth plan` could have written: names outside the rules,
    /// derived fields (ids, snapshot keys) that do not follow from the names, definitions the manifest
    /// rules would not produce, and config hashes that do not match their definitions.
    func problems() -> [String] {
        var problems: [String] = []
        if !Names.isValid(project, .project) {
            problems.append("project \(Names.quoted(project)) is not a valid project name (\(NameKind.project.rule))")
            return problems
        }
        for (i, volume) in (volumes ?? []).enumerated() {
            let own = VolumeDefinition(name: volume.name).fullName(project: project)
            if !Names.isValid(volume.name, .volume) || !Names.isValid(volume.fullName, .volume) {
                problems.append(
                    "volumes[\(i)] names \(Names.quoted(volume.name)) / \(Names.quoted(volume.fullName)) are not valid volume names (\(NameKind.volume.rule))"
                )
            } else if volume.action != .external, volume.fullName != own {
                problems.append("volumes[\(i)].fullName is \(Names.quoted(volume.fullName)), but the project's own volume \(volume.name) is \(own)")
            }
        }
        let volumeNames = Set((volumes ?? []).map(\.name))
        for (i, c) in containers.enumerated() {
            for mount in c.definition.mounts where mount.type == MountDefinition.volumeType && !volumeNames.contains(mount.source ?? "") {
                problems.append("containers[\(i)] mounts volume \(Names.quoted(mount.source ?? "")), which the plan does not declare")
            }
        }
        var seen: Set<String> = []
        for (i, c) in containers.enumerated() {
            let field = "containers[\(i)]"
            guard Names.isValid(c.name, .container) else {
                problems.append("\(field).name \(Names.quoted(c.name)) is not a valid container name (\(NameKind.container.rule))")
                continue
            }
            if !seen.insert(c.name).inserted { problems.append("\(field).name \(c.name) appears twice") }
            let id = "\(project).\(c.name)"
            let hasImage = c.definition.rootfs == nil
            let expected: [(String, String, String)] = [
                ("definition.name", c.definition.name, c.name),
                ("runtimeID", c.runtimeID, id),
                ("snapshotKey", c.snapshotKey, hasImage ? id : ""),
                ("snapshotter", c.snapshotterName, hasImage ? c.definition.snapshotter.rawValue : "none"),
                ("runtime", c.runtime, c.definition.runtime),
            ]
            for (name, value, wanted) in expected where value != wanted {
                problems.append("\(field).\(name) is \(Names.quoted(value)), but the container's name and definition give \(Names.quoted(wanted))")
            }
            if let pull = c.pull, pull.reference != c.image?.reference || c.definition.image == nil {
                problems.append("\(field).pull.reference \(Names.quoted(pull.reference)) is not the container's image")
            }
            if let restore = c.restore, restore.checkpoint != c.definition.checkpoint {
                problems.append("\(field).restore.checkpoint \(Names.quoted(restore.checkpoint)) is not the definition's checkpoint")
            }
        }
        for (i, orphan) in orphans.enumerated() where !Names.isValid(orphan.name, .container) {
            problems.append("orphans[\(i)].name \(Names.quoted(orphan.name)) is not a valid container name")
        }
        for (i, network) in networks.enumerated() where !Names.isValid(network.name, .network) {
            problems.append("networks[\(i)].name \(Names.quoted(network.name)) is not a valid network name")
        }
        guard problems.isEmpty else { return problems }
        let declaredVolumes = (volumes ?? []).map {
            VolumeDefinition(name: $0.name, external: $0.action == .external ? $0.fullName : nil, labels: $0.labels, device: $0.device)
        }
        problems += ManifestLoader.revalidate(containers.map(\.definition), networks: networks, volumes: declaredVolumes, project: project)
            .map { "definitions: \($0)" }
        guard problems.isEmpty else { return problems }
        // The hash a plan carries is the hash of its definition: an edited definition (args, mounts, …)
        // no longer matches.
        let byName = Dictionary(containers.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for (i, c) in containers.enumerated() {
            let peers = c.definition.withNamespaces.compactMap { join -> String? in
                guard case .container(let name) = join.target, let peer = byName[name] else { return nil }
                return "\(peer.name)=\(peer.configHash)"
            }
            // As the planner hashed it: an image still to be built has no digest yet.
            var imageDigest = c.image?.digest.description ?? (c.definition.build != nil && c.definition.image != nil ? "to be built" : "none")
            if let restore = c.restore { imageDigest += " checkpoint \(restore.digest)" }
            // Secret values are read again: one that changed since the plan fails the check (plan again).
            do {
                for digest in try c.definition.secretDigests() { imageDigest += " \(digest)" }
            } catch {
                problems.append("containers[\(i)] (\(c.name)): a secret or config cannot be read now: \(error)")
                continue
            }
            guard let canonical = try? ManifestRenderer.canonicalJSON(of: c.definition) else {
                problems.append("containers[\(i)].definition cannot be rendered")
                continue
            }
            let hash = Planner.configHash(canonical: canonical, imageDigest: imageDigest, peerHashes: peers)
            if hash != c.configHash {
                problems.append("containers[\(i)].configHash does not match its definition (\(c.name) was edited after planning)")
            }
        }
        return problems
    }
}

extension SavedPlan {
    /// What the registries say now of the plan's planned pulls, by reference: the inputs a saved plan is
    /// checked against (gathered here, compared by `staleness`).
    public static func currentRemote(of plan: Plan, registry: RegistryClient?) -> [String: PlanInputs.RemoteAnswer] {
        guard let registry else { return [:] }
        var answers: [String: PlanInputs.RemoteAnswer] = [:]
        for container in plan.containers {
            guard let pull = container.pull, answers[pull.reference] == nil else { continue }
            do {
                answers[pull.reference] = .image(try registry.resolve(pull.reference))
            } catch let error as any BerthError {
                answers[pull.reference] = .failed(error.description)
            } catch {
                answers[pull.reference] = .failed("\(error)")
            }
        }
        return answers
    }

    /// Why `plan` is out of date: an image that moved since it was made, in the store or (for planned
    /// pulls) in `remote`, what the registries say now. Empty when it is current. (The executor checks
    /// the state revision.)
    public static func staleness(of plan: Plan, images: ImageStore, remote: [String: PlanInputs.RemoteAnswer]) throws -> [String] {
        var problems: [String] = []
        for container in plan.containers {
            if let pull = container.pull {
                switch remote[pull.reference] {
                case .image(let now)? where now.digest != pull.digest:
                    problems.append(
                        "image \(pull.reference) of \(container.name) was \(pull.digest) in the registry when "
                            + "planned, now \(now.digest)")
                case .failed(let why)?:
                    problems.append("image \(pull.reference) of \(container.name) cannot be checked in its registry: \(why)")
                default: break
                }
                continue
            }
            guard let image = container.image, container.restore == nil,
                let reference = container.definition.image
            else { continue }
            let now = try images.lookup(reference)
            if now?.digest != image.digest {
                problems.append(
                    "image \(image.reference) of \(container.name) was \(image.digest) when planned, now \(now.map { $0.digest.description } ?? "absent")"
                )
            }
        }
        return problems
    }

    /// Refuses `plan` when `staleness` finds anything.
    public static func verifyCurrent(_ plan: Plan, images: ImageStore, registry: RegistryClient?) throws {
        let problems = try staleness(of: plan, images: images, remote: currentRemote(of: plan, registry: registry))
        guard problems.isEmpty else {
            throw PlanError(code: "plan-stale", problems.map { .error(at: nil, "the plan is out of date: \($0); plan again") })
        }
    }
}
