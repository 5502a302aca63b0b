import Foundation
import ImageStore
import Manifest
import Planner
import State

/// `berth boot`: after a reboot no monitor is left, so nothing restarts containers by itself. This starts,
/// project by project and in dependency order, every recorded container whose restart policy is `always`
/// or `unless-stopped` and that was not stopped by hand (`berth stop`), as a daemon would at its start.
public struct Boot: Sendable {
    public var root: StateRoot
    public var state: StateStore
    public var monitorLauncher: any MonitorLauncher

    public init(root: StateRoot, state: StateStore, monitorLauncher: any MonitorLauncher = SelfExecMonitorLauncher()) {
        self.root = root
        self.state = state
        self.monitorLauncher = monitorLauncher
    }

    public struct Outcome: Sendable, Equatable {
        public var project: String
        public var name: String
        /// `started`, or why not (`running`, `stopped by hand`…).
        public var result: String
        public var error: String?
    }

    /// Starts what the policies ask for; `projects` limits it (all when empty). Failures are reported per
    /// container, the others still start.
    public func run(projects: [String] = [], images: ImageStore, snapshots: SnapshotStores) throws -> [Outcome] {
        let all = try state.allContainers()
        let names = projects.isEmpty ? Array(Set(all.map(\.project))).sorted() : projects
        var outcomes: [Outcome] = []
        let liveness = Liveness(root: root, state: state)
        for project in names {
            try ProjectLock.holding(root: root, project: project) {
                let records = try state.containers(project: project)
                // Start order: the reverse of the stop waves (what others need first).
                for wave in Teardown.stopWaves(records).reversed() {
                    for record in wave.sorted(by: { $0.name < $1.name }) {
                        let policy = record.restartPolicy.flatMap(RestartPolicy.init(parsing:)) ?? .no
                        guard policy.startsAtBoot else { continue }
                        let observed = liveness.observe(record)
                        var outcome = Outcome(project: project, name: record.name, result: "started")
                        if observed.record.status == .stopped {
                            outcome.result = "stopped by hand, left stopped"
                        } else if observed.record.status == .running || observed.record.status == .restarting {
                            outcome.result = observed.supervised ? "already running" : "running without its monitor; `berth apply` replaces it"
                        } else {
                            do {
                                try Lifecycle(root: root, state: state, monitorLauncher: monitorLauncher)
                                    .start(observed.record, images: images, snapshots: snapshots)
                            } catch {
                                outcome.result = "failed"
                                outcome.error = "\(error)"
                            }
                        }
                        outcomes.append(outcome)
                    }
                }
            }
        }
        return outcomes
    }
}
