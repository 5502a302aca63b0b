import Foundation
import Manifest
import State

/// `depends-on` conditions: before a dependent starts, `apply` waits until each dependency is healthy or
/// has completed successfully, as its entry asks, and gives up with the dependency, the condition and the
/// last health output when it never happens.
struct DependencyWait {
    var root: StateRoot
    var state: StateStore
    /// Between two looks at the dependency's record.
    var pollInterval: TimeInterval = 0.05

    func wait(dependent: String, on dependency: String, _ requirement: DependencyRequirement, project: String) throws {
        guard requirement.condition != .started else { return }
        let liveness = Liveness(root: root, state: state)
        let deadline = Date().addingTimeInterval(requirement.timeout)
        let condition = requirement.condition.rawValue
        func refuse(_ why: String) -> ExecutorError {
            ExecutorError(
                "dependency-condition",
                "container \(dependent) was not started: it depends on \(dependency) being \(condition), but \(why)")
        }
        while true {
            guard let stored = try state.container(project: project, name: dependency) else { throw refuse("\(dependency) is not recorded") }
            let record = liveness.observe(stored).record
            switch requirement.condition {
            case .started:
                return
            case .healthy:
                guard record.healthcheck != nil else {
                    throw refuse("\(dependency) has no health check (neither in the manifest nor in its image)")
                }
                if record.status == .running, record.health == HealthStatus.healthy.rawValue { return }
                if [.exited, .failed, .stopped].contains(record.status) {
                    throw refuse("\(dependency) \(Self.ended(record)) before it became healthy\(Self.lastProbe(record))")
                }
            case .completedSuccessfully:
                if record.status == .exited, record.exitCode == 0 { return }
                if [.exited, .failed, .stopped].contains(record.status) { throw refuse("\(dependency) \(Self.ended(record))") }
            }
            if Date() >= deadline {
                let health = record.health.map { "; its health is \($0)" } ?? ""
                throw refuse(
                    "it did not happen within \(Int(requirement.timeout.rounded())) s (\(dependency) is \(record.status.rawValue)\(health))\(Self.lastProbe(record))"
                )
            }
            usleep(useconds_t(pollInterval * 1_000_000))
        }
    }

    static func ended(_ record: ContainerRecord) -> String {
        switch record.status {
        case .failed: return "failed to start (\(record.failure ?? "unknown reason"))"
        case .stopped: return "was stopped"
        default: return "exited with code \(record.exitCode.map(String.init) ?? "unknown")"
        }
    }

    /// `; last health check: exit 1: <output>` from the record's probe log, when it has one.
    static func lastProbe(_ record: ContainerRecord) -> String {
        guard let text = record.healthLog,
            let last = (try? JSONDecoder().decode([HealthProbeResult].self, from: Data(text.utf8)))?.last
        else { return "" }
        let output = last.output.trimmingCharacters(in: .whitespacesAndNewlines)
        return "; last health check: exit \(last.exitCode)\(output.isEmpty ? "" : ": \(output.prefix(200))")"
    }
}
