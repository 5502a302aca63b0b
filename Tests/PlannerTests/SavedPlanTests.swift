import Foundation
import Manifest
import Testing
@testable import Planner

@Suite struct SavedPlanRoundTripTests {
    @Test func savedPlanKeepsTheDefinitionsThePrintedPlanLeavesOut() throws {
        var plan = try PlanRendererTests.samplePlan()
        plan.containers[0].definition.env = ["A=1"]
        let printed = try PlanRenderer.json(plan)
        #expect(!printed.contains("definition"))

        let path = FileManager.default.temporaryDirectory.appendingPathComponent("berth-plan-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try SavedPlan(plan).encoded().write(to: URL(fileURLWithPath: path))
        let loaded = try SavedPlan.load(path: path)
        #expect(loaded.plan == plan)
        #expect(loaded.plan.stateRevision == 3)
    }
}
