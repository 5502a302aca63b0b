import Foundation
import Manifest
import OCI

/// A plan written to a file by `berth plan -o FILE`, to be carried out later by `berth apply FILE`
/// exactly as planned. It records the state revision and the image digests it was made against.
public struct SavedPlan: Codable, Sendable {
    public static let currentFormat = "berth-plan/v1"

    public var format: String
    public var project: String
    public var manifest: String
    public var stateRevision: Int
    /// The planned containers, each with the validated manifest entry it was planned from.
    public var containers: [PlannedContainer]
    public var orphans: [PlannedOrphan]

    public init(_ plan: Plan) {
        format = Self.currentFormat
        project = plan.project
        manifest = plan.manifest
        stateRevision = plan.stateRevision
        containers = plan.containers
        orphans = plan.orphans
    }

    /// The plan to execute.
    public var plan: Plan {
        Plan(project: project, manifest: manifest, stateRevision: stateRevision, containers: containers, orphans: orphans)
    }

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        if let key = PlannedContainer.includeDefinition { encoder.userInfo[key] = true }
        return try encoder.encode(self) + Data("\n".utf8)
    }

    /// Reads a saved plan; a file that is not one is a clear error naming it.
    public static func load(path: String) throws -> SavedPlan {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw PlanError(code: "plan-file-unreadable", [.error(at: nil, "cannot read plan file \(path): \(error.localizedDescription)")])
        }
        guard let saved = try? JSONDecoder().decode(SavedPlan.self, from: data), saved.format == currentFormat else {
            throw PlanError(code: "plan-file-invalid",
                            [.error(at: nil, "\(path) is not a Berth plan (\(currentFormat)); make one with `berth plan -o \(path)`")])
        }
        return saved
    }
}

extension Planner {
    /// Refuses a saved plan whose images moved since it was made, in the store or, for planned pulls, in the
    /// registry (the state revision is checked by the executor).
    public func verifyInputs(of plan: Plan) throws {
        var problems: [String] = []
        for container in plan.containers {
            if let pull = container.pull, let registry {
                let now = try registry.resolve(pull.reference)
                if now.digest != pull.digest {
                    problems.append("image \(pull.reference) of \(container.name) was \(pull.digest) in the registry when "
                                    + "planned, now \(now.digest)")
                }
                continue
            }
            guard let image = container.image, container.pull == nil, container.restore == nil,
                  let reference = container.definition.image else { continue }
            let now = try images.lookup(reference)
            if now?.digest != image.digest {
                problems.append("image \(image.reference) of \(container.name) was \(image.digest) when planned, now \(now.map { $0.digest.description } ?? "absent")")
            }
        }
        guard problems.isEmpty else {
            throw PlanError(code: "plan-stale", problems.map { .error(at: nil, "the plan is out of date: \($0); plan again") })
        }
    }
}
