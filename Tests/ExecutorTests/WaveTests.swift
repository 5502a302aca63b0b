import Manifest
import Planner
import Testing
@testable import Executor

@Suite struct WaveTests {
    func planned(_ name: String, dependsOn: [String] = [], joins: [String] = []) -> PlannedContainer {
        PlannedContainer(name: name, action: .create, reasons: [], image: nil, unpack: [], snapshotter: "overlayfs",
                         snapshotKey: "p.\(name)", runtime: "runc", runtimeID: "p.\(name)", configHash: "h",
                         definition: ContainerDefinition(name: name, withNamespaces: joins.map {
                             NamespaceJoin(type: "network", target: .container($0))
                         }, dependsOn: dependsOn))
    }

    @Test func independentContainersShareAWaveAndDependentsFollow() {
        let plan = Plan(project: "p", manifest: "m", stateRevision: 0, containers: [
            planned("db"), planned("cache"), planned("web", dependsOn: ["db"]), planned("sidecar", joins: ["web"]),
            planned("solo"),
        ], orphans: [])
        #expect(Executor.waves(plan) == [[0, 1, 4], [2], [3]])
    }

    @Test func emptyPlanHasNoWaves() {
        #expect(Executor.waves(Plan(project: "p", manifest: "m", stateRevision: 0, containers: [], orphans: [])).isEmpty)
    }
}
