import BerthSystem
import Foundation
import Manifest
import Runtime
import State
import Synchronization

/// Runs a container's health check on its schedule, on a thread of the container's monitor: each probe is a
/// `runc exec` of the check's command; the result moves the recorded health between `starting`, `healthy`
/// and `unhealthy` (docker's rules: failures in the start period do not count, `retries` failures in a row
/// make it unhealthy, one success makes it healthy), and the last probes are kept in the record.
final class HealthProber: Sendable {
    let check: HealthCheck
    let request: MonitorRequest
    let state: StateStore
    /// Kill the container (its restart policy then decides) when it becomes unhealthy.
    let restartOnUnhealthy: Bool
    private let stopped = Mutex(false)
    private let wake = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)

    init(check: HealthCheck, request: MonitorRequest, state: StateStore, restartOnUnhealthy: Bool) {
        self.check = check
        self.request = request
        self.state = state
        self.restartOnUnhealthy = restartOnUnhealthy
    }

    func start() {
        let thread = Thread { [self] in
            loop()
            done.signal()
        }
        thread.stackSize = 256 * 1024
        thread.start()
    }

    /// Ends the schedule and waits for a probe under way (it fails fast once the container is gone).
    func stop() {
        stopped.withLock { $0 = true }
        wake.signal()
        done.wait()
    }

    private func loop() {
        let began = Date()
        var health = HealthTracker(check: check)
        while true {
            let wait = health.inStartPeriod(Date().timeIntervalSince(began)) ? check.startInterval : check.interval
            if wake.wait(timeout: .now() + wait) == .success || stopped.withLock({ $0 }) { return }
            let probeStart = Date()
            let result = probe()
            if stopped.withLock({ $0 }) { return }
            let before = health.status
            health.record(passed: result.exitCode == 0, startedAfter: probeStart.timeIntervalSince(began))
            let status = health.status
            _ = try? state.update(project: request.project, name: request.name) { record in
                guard record.status == .running else { return }
                record.health = status.rawValue
                var log = (record.healthLog.flatMap { try? JSONDecoder().decode([HealthProbeResult].self, from: Data($0.utf8)) }) ?? []
                log.append(result)
                log = Array(log.suffix(HealthProbeResult.kept))
                record.healthLog = HealthProber.encode(log)
            }
            if status == .unhealthy, before != .unhealthy, restartOnUnhealthy {
                let driver = RuntimeDriver(binary: request.runtimeBinary, root: request.root.runtimeRoot)
                try? driver.kill(id: request.runtimeID, signal: "KILL", all: true)
            }
        }
    }

    /// One run of the check's command in the container, bounded by its timeout.
    private func probe() -> HealthProbeResult {
        let start = Timestamp.now()
        let driver = RuntimeDriver(binary: request.runtimeBinary, root: request.root.runtimeRoot)
        let command = Command(
            request.runtimeBinary, driver.execArguments(id: request.runtimeID, command: check.command, tty: false, cwd: nil, env: []))
        do {
            let output = try command.run(timeout: .milliseconds(Int64(check.timeout * 1000)))
            var text = output.stdout
            text.append(output.stderr)
            return HealthProbeResult(start: start, end: Timestamp.now(), exitCode: output.status, output: Self.capped(text))
        } catch {
            if error.errno == ETIMEDOUT {
                return HealthProbeResult(
                    start: start, end: Timestamp.now(), exitCode: -1,
                    output: "health check exceeded its timeout (\(DurationText.format(check.timeout)))")
            }
            return HealthProbeResult(start: start, end: Timestamp.now(), exitCode: -1, output: "health check could not run: \(error)")
        }
    }

    /// At most `outputLimit` bytes of `data`, cut on a character boundary.
    static func capped(_ data: Data) -> String {
        var text = String(decoding: data.prefix(HealthProbeResult.outputLimit), as: UTF8.self)
        if text.utf8.count > HealthProbeResult.outputLimit { text = String(text.utf8.prefix(HealthProbeResult.outputLimit)) ?? "" }
        return text
    }

    static func encode(_ log: [HealthProbeResult]) -> String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(log)).map { String(decoding: $0, as: UTF8.self) }
    }
}

/// Docker's health rules over a sequence of probe results.
struct HealthTracker: Equatable {
    let check: HealthCheck
    private(set) var status = HealthStatus.starting
    private(set) var failingStreak = 0

    init(check: HealthCheck) {
        self.check = check
    }

    func inStartPeriod(_ elapsed: Double) -> Bool { elapsed < check.startPeriod }

    /// Takes one probe's result; `startedAfter` is the probe's start in seconds after the container's.
    mutating func record(passed: Bool, startedAfter: Double) {
        if passed {
            status = .healthy
            failingStreak = 0
            return
        }
        // In the start period a failure does not count, unless the container was already healthy.
        if inStartPeriod(startedAfter), status == .starting { return }
        failingStreak += 1
        if failingStreak >= check.retries { status = .unhealthy }
    }
}
