import Foundation
import OCI

import Manifest
import State
import Testing

@testable import Supervision

/// The rules the monitor follows between runs and probes, apart from the processes they drive.
@Suite struct SupervisionTests {
    @Test func backoffDoublesToTenSecondsAndResetsAfterALongRun() {
        var backoff = RestartBackoff()
        let quick = (0..<9).map { _ in backoff.next(uptime: 0.01) }
        #expect(quick == [0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 10, 10])
        #expect(backoff.next(uptime: 10) == 0.1)
        #expect(backoff.next(uptime: 9.99) == 0.2)
    }

    struct PolicyCase: Sendable, CustomTestStringConvertible {
        var policy: String
        var exitCode: Int32
        var restarts: Int
        var again: Bool
        var testDescription: String { "\(policy) exit \(exitCode) after \(restarts)" }
    }

    @Test(arguments: [
        PolicyCase(policy: "no", exitCode: 1, restarts: 0, again: false),
        PolicyCase(policy: "on-failure", exitCode: 0, restarts: 0, again: false),
        PolicyCase(policy: "on-failure", exitCode: 1, restarts: 99, again: true),
        PolicyCase(policy: "on-failure:3", exitCode: 1, restarts: 2, again: true),
        PolicyCase(policy: "on-failure:3", exitCode: 1, restarts: 3, again: false),
        PolicyCase(policy: "on-failure:0", exitCode: 1, restarts: 0, again: false),
        PolicyCase(policy: "always", exitCode: 0, restarts: 1000, again: true),
        PolicyCase(policy: "unless-stopped", exitCode: 137, restarts: 0, again: true),
    ])
    func restartDecision(_ c: PolicyCase) throws {
        let policy = try #require(RestartPolicy(parsing: c.policy))
        #expect(policy.description == c.policy)
        #expect(policy.restartsAfter(exitCode: c.exitCode, restarts: c.restarts) == c.again)
    }

    @Test(arguments: ["", "on-failure:", "on-failure:-1", "on-failure:x", "Always", "restart"])
    func refusesOtherPolicies(_ text: String) {
        #expect(RestartPolicy(parsing: text) == nil)
    }

    @Test func healthFollowsDockersRules() {
        var health = HealthTracker(check: HealthCheck(test: ["CMD", "true"], retries: 2, startPeriod: 5))
        health.record(passed: false, startedAfter: 1)
        health.record(passed: false, startedAfter: 2)
        #expect(health.status == .starting, "failures in the start period count")
        health.record(passed: true, startedAfter: 3)
        #expect(health.status == .healthy)
        health.record(passed: false, startedAfter: 4)
        #expect(health.status == .healthy && health.failingStreak == 1, "a healthy container's failures count even in the start period")
        health.record(passed: false, startedAfter: 40)
        #expect(health.status == .unhealthy)
        health.record(passed: true, startedAfter: 50)
        #expect(health.status == .healthy && health.failingStreak == 0)
    }

    @Test func theImagesCheckIsUsedOnlyWithoutTheManifests() {
        let image = OCIHealth(test: ["CMD-SHELL", "exit 0"], interval: 2_000_000_000, retries: 0)
        let fromImage = HealthCheckSetting?.none.effective(image: image)
        #expect(fromImage?.test == ["CMD-SHELL", "exit 0"])
        #expect(fromImage?.interval == 2 && fromImage?.retries == HealthCheck.defaultRetries && fromImage?.timeout == HealthCheck.defaultTimeout)
        #expect(HealthCheckSetting?.some(.disabled).effective(image: image) == nil)
        let mine = HealthCheck(test: ["CMD", "true"])
        #expect(HealthCheckSetting?.some(.check(mine)).effective(image: image) == mine)
        #expect(HealthCheckSetting?.none.effective(image: OCIHealth(test: ["NONE"])) == nil)
        #expect(mine.command == ["true"])
        #expect(HealthCheck(test: ["CMD-SHELL", "test -e /x"]).command == ["/bin/sh", "-c", "test -e /x"])
    }

    @Test func probeOutputIsCappedOnACharacterBoundary() {
        let text = String(repeating: "é", count: 3000)
        let capped = HealthProber.capped(Data(text.utf8))
        #expect(capped.utf8.count <= HealthProbeResult.outputLimit)
        #expect(capped.allSatisfy { $0 == "é" })
    }
}
typealias OCIHealth = ImageConfiguration.HealthConfig
