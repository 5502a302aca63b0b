import Foundation
import Manifest
import SpecBuilder
import Testing
@testable import Planner

@Suite struct SavedPlanRoundTripTests {
    /// The sample plan made consistent, as `berth plan -o` writes one: derived ids and a matching hash.
    static func consistentPlan() throws -> Plan {
        var plan = try PlanRendererTests.samplePlan()
        plan.containers[0].snapshotKey = "hello.hello"
        plan.containers[0].definition.env = ["A=1"]
        plan.containers[0].configHash = try hash(of: plan.containers[0])
        return plan
    }

    static func hash(of container: PlannedContainer) throws -> String {
        Planner.configHash(
            canonical: try ManifestRenderer.canonicalJSON(of: container.definition),
            imageDigest: container.image?.digest.description ?? "none")
    }

    static func roundTrip(_ plan: Plan, edit: (inout [String: Any]) -> Void = { _ in }) throws -> SavedPlan {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("berth-plan-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var object = try #require(try JSONSerialization.jsonObject(with: try SavedPlan(plan).encoded()) as? [String: Any])
        edit(&object)
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
        return try SavedPlan.load(path: path)
    }

    @Test func savedPlanKeepsTheDefinitionsThePrintedPlanLeavesOut() throws {
        let plan = try Self.consistentPlan()
        let printed = try PlanRenderer.json(plan)
        #expect(!printed.contains("definition"))
        let loaded = try Self.roundTrip(plan)
        #expect(loaded.plan == plan)
        #expect(loaded.plan.stateRevision == 3)
        // The spec inputs are not in the file: they are derived again from the definition read back.
        #expect(!(try String(decoding: SavedPlan(plan).encoded(), as: UTF8.self)).contains("resolved"))
        #expect(loaded.plan.containers[0].resolved.env == ["A=1"])
        #expect(loaded.plan.containers[0].resolved == ResolvedContainer(resolving: loaded.plan.containers[0].definition))
    }

    struct Tamper: CustomTestStringConvertible, Sendable {
        var label: String
        /// Text the refusal must contain: the field that does not match.
        var names: String
        var edit: @Sendable (inout [String: Any]) -> Void
        var testDescription: String { label }
    }

    static func editContainer(_ body: @escaping @Sendable (inout [String: Any]) -> Void) -> @Sendable (inout [String: Any]) -> Void {
        { object in
            var containers = object["containers"] as! [[String: Any]]
            body(&containers[0])
            object["containers"] = containers
        }
    }

    static func editDefinition(_ body: @escaping @Sendable (inout [String: Any]) -> Void) -> @Sendable (inout [String: Any]) -> Void {
        editContainer { c in
            var definition = c["definition"] as! [String: Any]
            body(&definition)
            c["definition"] = definition
        }
    }

    static let tampers: [Tamper] = [
        Tamper(
            label: "container name escaping the root", names: "containers[0].name",
            edit: editContainer { $0["name"] = "../../../somewhere/victim" }),
        Tamper(
            label: "container name and definition name both edited", names: "containers[0].runtimeID",
            edit: editContainer { c in
                c["name"] = "victim"
                var d = c["definition"] as! [String: Any]
                d["name"] = "victim"
                c["definition"] = d
            }),
        Tamper(label: "project escaping the root", names: "project", edit: { $0["project"] = "../../decoy" }),
        Tamper(label: "project with a dot", names: "project", edit: { $0["project"] = "a.b" }),
        Tamper(label: "empty project", names: "project", edit: { $0["project"] = "" }),
        Tamper(label: "runtime id", names: "containers[0].runtimeID", edit: editContainer { $0["runtimeID"] = "other.hello" }),
        Tamper(label: "snapshot key", names: "containers[0].snapshotKey", edit: editContainer { $0["snapshotKey"] = "../x" }),
        Tamper(label: "snapshotter", names: "containers[0].snapshotter", edit: editContainer { $0["snapshotter"] = "native" }),
        Tamper(
            label: "edited args", names: "containers[0].configHash",
            edit: editDefinition { $0["args"] = ["sh", "-c", "rm -rf /"] }),
        Tamper(label: "edited env", names: "containers[0].configHash", edit: editDefinition { $0["env"] = ["A=2"] }),
        Tamper(
            label: "relative bind source", names: "definitions",
            edit: editDefinition { $0["mounts"] = [["type": "bind", "source": "../etc", "destination": "/x", "options": ["rbind"]]] }),
        Tamper(
            label: "unknown runtime", names: "definitions",
            edit: editContainer { c in
                c["runtime"] = "../../bin/sh"
                var d = c["definition"] as! [String: Any]
                d["runtime"] = "../../bin/sh"
                c["definition"] = d
            }),
        Tamper(label: "hostile orphan", names: "orphans[0].name", edit: { $0["orphans"] = [["name": "..", "status": "exited"]] }),
        Tamper(label: "other format version", names: "format", edit: { $0["format"] = "berth-plan/v0" }),
        Tamper(label: "missing field", names: "containers[0]", edit: editContainer { $0.removeValue(forKey: "configHash") }),
    ]

    @Test(arguments: tampers)
    func aTamperedPlanIsRefusedNamingTheField(_ tamper: Tamper) throws {
        let plan = try Self.consistentPlan()
        do {
            _ = try Self.roundTrip(plan, edit: tamper.edit)
            Issue.record("a plan with \(tamper.label) was accepted")
        } catch let error as PlanError {
            #expect(error.description.contains(tamper.names), "\(error.description)")
            #expect(error.category == .usage || error.category == .runtime)
        }
    }

    @Test func aFileThatIsNotAPlanIsRefused() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("berth-plan-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        for text in ["", "null", "[]", "{\"format\": 1}", String(repeating: "[", count: 100_000)] {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            #expect(throws: PlanError.self) { try SavedPlan.load(path: path) }
        }
    }
}
