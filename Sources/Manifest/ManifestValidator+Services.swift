import BerthSystem
import Diagnostics

/// Restart policies, health checks, dependency conditions and stop settings.
extension ManifestValidator {
    mutating func validateServices(_ d: ContainerDescription, into c: inout ContainerDefinition) {
        if let restart = d.restart {
            if let policy = RestartPolicy(parsing: restart.value) {
                c.restart = policy
            } else {
                diagnostics.append(ManifestDiagnostics.invalidRestart(restart.value, at: restart.location))
            }
        }
        c.restartOnUnhealthy = d.restartOnUnhealthy?.value ?? false
        if let check = d.healthcheck { c.healthcheck = healthCheck(check) }
        for (name, dependency) in d.dependencyConditions {
            var requirement = DependencyRequirement(condition: .started)
            var written = false
            if let condition = dependency.condition {
                if let value = DependencyCondition(rawValue: condition.value) {
                    requirement.condition = value
                    written = value != .started
                } else {
                    diagnostics.append(ManifestDiagnostics.invalidCondition(condition.value, at: condition.location))
                }
            }
            if let timeout = duration("timeout", dependency.timeout) {
                requirement.timeout = timeout
                written = true
            }
            if written { c.dependencyRequirements[name] = requirement }
        }
        if let signal = d.stopSignal {
            if let parsed = SignalName.parse(signal.value) {
                c.stopSignal = parsed.name
            } else {
                diagnostics.append(ManifestDiagnostics.invalidSignal(signal.value, at: signal.location))
            }
        }
        c.stopGracePeriod = duration("stop-grace-period", d.stopGracePeriod)
        c.initProcess = d.initProcess?.value ?? false
    }

    private mutating func healthCheck(_ located: Located<HealthCheckDescription>) -> HealthCheckSetting? {
        let d = located.value
        if d.disable?.value == true { return .disabled }
        guard let testList = d.test else {
            diagnostics.append(ManifestDiagnostics.healthTestMissing(at: located.location))
            return nil
        }
        guard let test = healthTest(testList, isString: d.testIsString) else {
            _ = healthTimings(d, into: HealthCheck(test: []))
            return testList.value.first?.value == "NONE" ? .disabled : nil
        }
        return .check(healthTimings(d, into: HealthCheck(test: test)))
    }

    /// The test in its list form (`CMD` or `CMD-SHELL` first); nil when it is `NONE` or invalid (reported).
    private mutating func healthTest(_ testList: Located<[Located<String>]>, isString: Bool) -> [String]? {
        var test = (isString ? ["CMD-SHELL"] : []) + testList.value.map(\.value)
        switch test.first {
        case "NONE"?:
            return nil
        case "CMD"?, "CMD-SHELL"?:
            if test.count < 2 || test.dropFirst().allSatisfy(\.isEmpty) {
                diagnostics.append(ManifestDiagnostics.healthTest("`\(test[0])` is followed by no command", at: testList.location))
                return nil
            }
            if test[0] == "CMD-SHELL", test.count > 2 { test = ["CMD-SHELL", test.dropFirst().joined(separator: " ")] }
            return test
        case let first?:
            diagnostics.append(
                ManifestDiagnostics.healthTest("a list must start with `CMD`, `CMD-SHELL` or `NONE`, not `\(first)`", at: testList.location))
        case nil:
            diagnostics.append(ManifestDiagnostics.healthTest("it is empty", at: testList.location))
        }
        return nil
    }

    /// `check` with the written intervals, timeout, start period and retries (each checked).
    private mutating func healthTimings(_ d: HealthCheckDescription, into check: HealthCheck) -> HealthCheck {
        var check = check
        // The monitor's schedule has a 1 ms grain; docker refuses intervals under 1 ms as well.
        for (field, value, keyPath) in [
            ("interval", d.interval, \HealthCheck.interval), ("timeout", d.timeout, \HealthCheck.timeout),
            ("start-interval", d.startInterval, \HealthCheck.startInterval),
        ] {
            guard let seconds = duration(field, value), let value else { continue }
            if seconds < 0.001 {
                diagnostics.append(ManifestDiagnostics.durationTooShort(field, value.value, minimum: "1ms", at: value.location))
            } else {
                check[keyPath: keyPath] = seconds
            }
        }
        if let start = duration("start-period", d.startPeriod) { check.startPeriod = start }
        if let retries = d.retries {
            if retries.value >= 1, retries.value <= 1_000_000 {
                check.retries = Int(retries.value)
            } else {
                diagnostics.append(ManifestDiagnostics.invalidRetries(retries.value, at: retries.location))
            }
        }
        return check
    }

    private mutating func duration(_ field: String, _ value: Located<String>?) -> Double? {
        guard let value else { return nil }
        guard let seconds = DurationText.seconds(value.value), seconds <= 365 * 86400 else {
            diagnostics.append(ManifestDiagnostics.invalidDuration(field, value.value, at: value.location))
            return nil
        }
        return seconds
    }
}
