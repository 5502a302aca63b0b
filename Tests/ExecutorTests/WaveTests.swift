import Foundation
import Manifest
import Planner
import Testing
@testable import Executor

@Suite struct WaveTests {
    func planned(_ name: String, dependsOn: [String] = [], joins: [String] = []) -> PlannedContainer {
        PlannedContainer(
            name: name, action: .create, reasons: [], image: nil, unpack: [], snapshotter: .overlayfs,
            snapshotKey: "p.\(name)", runtime: "runc", runtimeID: "p.\(name)", configHash: "h",
            definition: ContainerDefinition(
                name: name,
                withNamespaces: joins.map {
                    NamespaceJoin(type: "network", target: .container($0))
                }, dependsOn: dependsOn))
    }

    @Test func independentContainersShareAWaveAndDependentsFollow() {
        let plan = Plan(
            project: "p", manifest: "m", stateRevision: 0,
            containers: [
                planned("db"), planned("cache"), planned("web", dependsOn: ["db"]), planned("sidecar", joins: ["web"]),
                planned("solo"),
            ], orphans: [])
        #expect(Executor.waves(plan) == [[0, 1, 4], [2], [3]])
    }

    @Test func emptyPlanHasNoWaves() {
        #expect(Executor.waves(Plan(project: "p", manifest: "m", stateRevision: 0, containers: [], orphans: [])).isEmpty)
    }
}

/// The starts of one wave: every container once, never more than the limit at the same time.
@Suite struct ConcurrentStartTests {
    final class Tally: @unchecked Sendable {
        let lock = NSLock()
        var seen: [Int] = []
        var running = 0
        var peak = 0
        func enter(_ i: Int) { lock.lock(); seen.append(i); running += 1; peak = max(peak, running); lock.unlock() }
        func leave() { lock.lock(); running -= 1; lock.unlock() }
    }

    @Test(arguments: [(0, 3), (1, 3), (20, 3), (20, 8)])
    func everyIndexRunsOnceWithinTheLimit(count: Int, limit: Int) {
        let tally = Tally()
        Executor.concurrently(count, limit: limit) { i in
            tally.enter(i)
            usleep(2_000)  // long enough for the others to start beside it
            tally.leave()
        }
        #expect(tally.seen.sorted() == Array(0..<count))
        #expect(tally.peak <= limit)
        #expect(count < limit || tally.peak > 1)
    }
}
