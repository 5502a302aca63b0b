import Checkpoint
import Diagnostics
import Foundation
import ImageStore
import Manifest
import OCI
import Registry

extension Planner {
    enum ImageSource {
        case local(ResolvedImage)
        case pull(RemoteImage)
    }

    /// Where a container's image comes from under its `pull:` policy, given what the registry answered
    /// (nil: not asked, registries off); nil after reporting a diagnostic.
    func resolveImage(
        _ container: ContainerDefinition, reference: String, remote answer: PlanInputs.RemoteAnswer?, storeOnly: Bool,
        diagnostics: inout [Diagnostic]
    ) throws -> ImageSource? {
        let location = container.locations["image"]
        let local = try images.lookup(reference)
        if storeOnly {
            guard let local else {
                diagnostics.append(.error(at: location, Self.missingImageMessage(reference)))
                return nil
            }
            return .local(local)
        }
        switch container.pull {
        case .never:
            guard let local else {
                diagnostics.append(.error(at: location, Self.missingImageMessage(reference) + "; `pull: never` forbids pulling it"))
                return nil
            }
            return .local(local)
        case .always:
            switch answer {
            case nil:
                diagnostics.append(
                    .error(at: container.locations["pull"], "`pull: always` needs a registry, and registries are off for this command"))
                return nil
            case .image(let remote)?:
                if let local, local.digest == remote.digest { return .local(local) }
                return .pull(remote)
            case .failed(let why)?:
                diagnostics.append(.error(at: location, "cannot check image \"\(reference)\" in its registry: \(why)"))
                return nil
            }
        case .missing:
            if let local { return .local(local) }
            switch answer {
            case nil:
                diagnostics.append(.error(at: location, Self.missingImageMessage(reference)))
                return nil
            case .image(let remote)?:
                return .pull(remote)
            case .failed(let why)?:
                diagnostics.append(.error(at: location, Self.missingImageMessage(reference) + "; pulling it failed: \(why)"))
                return nil
            }
        }
    }

    /// Names under `berth.local/` exist only in a store: they are imported, never pulled.
    static func isLocalOnly(_ reference: String) -> Bool {
        let normalized = (try? ImageReference(parsing: reference).description) ?? reference
        return normalized.hasPrefix("berth.local/")
    }

    /// Plans a restore from a checkpoint image: its base image, what comes back, and the pre-flight checks.
    func planRestore(
        _ container: ContainerDefinition, reference: String, criu: CriuStatus?,
        diagnostics: inout [Diagnostic]
    ) throws -> (PlannedRestore, ResolvedImage)? {
        let location = container.locations["checkpoint"]
        let checkpoint: CheckpointImage
        let base: ResolvedImage
        do {
            checkpoint = try CheckpointImage.load(reference: reference, store: images)
            base = try checkpoint.baseImage(in: images)
        } catch let error as any BerthError {
            diagnostics.append(.error(at: location, "cannot restore \(container.name) from \(reference): \(error.description)"))
            return nil
        }
        var ok = true
        if let image = container.image {
            let wanted = (try? ImageReference(parsing: image).description) ?? image
            let recorded = (try? ImageReference(parsing: checkpoint.baseReference).description) ?? checkpoint.baseReference
            if wanted != recorded {
                diagnostics.append(
                    .error(
                        at: container.locations["image"],
                        "`image` \(wanted) differs from the checkpoint's base image \(recorded); drop `image` or make them agree"))
                ok = false
            }
        }
        if let runtime = checkpoint.runtime, Self.runtimeName(runtime) != Self.runtimeName(container.runtime) {
            diagnostics.append(
                .error(
                    at: container.locations["runtime"] ?? location,
                    "the checkpoint was made with runtime \(runtime), the container asks for \(container.runtime)"))
            ok = false
        }
        let process = container.restore.map { $0 == .process } ?? checkpoint.hasProcessState
        if process {
            if !checkpoint.hasProcessState {
                diagnostics.append(
                    .error(
                        at: container.locations["restore"] ?? location,
                        "checkpoint \(reference) has no process state (made with --no-process); use `restore: filesystem`"))
                ok = false
            } else {
                let criu = criu ?? CriuStatus(usable: false, output: "", message: "CRIU was not checked")
                if !criu.usable {
                    diagnostics.append(.error(at: location, "cannot restore the process of \(container.name): \(criu.message)"))
                    ok = false
                }
            }
        }
        let overrides = Self.overrides(container)
        if process {
            for field in overrides where !Self.matchesCheckpoint(field, container, checkpoint.spec) {
                diagnostics.append(
                    .error(
                        at: container.locations[field] ?? location,
                        "`\(field)` cannot change in a process restore: the process resumes as it was checkpointed; remove it, make it match, or use `restore: filesystem`"
                    ))
                ok = false
            }
        }
        guard ok else { return nil }
        var restore = PlannedRestore(
            checkpoint: checkpoint.reference, digest: checkpoint.digest,
            baseImage: base.reference, rwBytes: checkpoint.rwSize, process: process)
        restore.overrides = process ? [] : overrides
        return (restore, base)
    }

    /// The manifest fields set beside `checkpoint:` that change the checkpointed spec.
    static func overrides(_ c: ContainerDefinition) -> [String] {
        c.specFieldsSet()
    }

    /// Whether an override only restates what the checkpointed spec already has.
    static func matchesCheckpoint(_ field: String, _ c: ContainerDefinition, _ spec: RuntimeSpec?) -> Bool {
        guard let spec else { return false }
        switch field {
        case "args": return c.args == spec.process?.args
        case "cwd": return c.cwd == spec.process?.cwd
        case "hostname": return c.hostname == spec.hostname
        case "tty": return c.tty == (spec.process?.terminal ?? false)
        case "env": return Set(c.env).isSubset(of: Set(spec.process?.env ?? []))
        default: return false
        }
    }

    static func runtimeName(_ name: String) -> String {
        name == "io.containerd.runc.v2" ? "runc" : (name as NSString).lastPathComponent
    }
}
