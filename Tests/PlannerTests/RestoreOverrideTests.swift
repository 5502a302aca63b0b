import Manifest
import OCI
import Testing
@testable import Planner

@Suite struct RestoreOverrideTests {
    @Test func fieldsBesideACheckpointAreListed() {
        let c = ContainerDefinition(name: "web", args: ["sh"], env: ["A=1"], checkpoint: "berth.local/c:1", hostname: "h")
        #expect(Planner.overrides(c) == ["args", "env", "hostname"])
        #expect(Planner.overrides(ContainerDefinition(name: "web", checkpoint: "berth.local/c:1")).isEmpty)
    }

    @Test func aProcessRestoreAcceptsOnlyWhatTheCheckpointAlreadyHas() {
        let spec = RuntimeSpec(
            process: OCIProcess(args: ["sh", "-c", "serve"], env: ["A=1", "B=2"], cwd: "/srv"),
            hostname: "web")
        let same = ContainerDefinition(name: "web", args: ["sh", "-c", "serve"], cwd: "/srv", env: ["A=1"], hostname: "web")
        for field in Planner.overrides(same) {
            #expect(Planner.matchesCheckpoint(field, same, spec), "\(field) matches the checkpoint")
        }
        let changed = ContainerDefinition(name: "web", args: ["sh"], env: ["C=3"], memoryLimit: 1 << 20)
        for field in Planner.overrides(changed) {
            #expect(!Planner.matchesCheckpoint(field, changed, spec), "\(field) changes the checkpoint")
        }
        #expect(!Planner.matchesCheckpoint("args", same, nil))
    }
}
