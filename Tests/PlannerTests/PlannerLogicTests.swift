import BerthSystem
import Foundation
import Manifest
import OCI
import State
import Testing
@testable import Planner

@Suite struct StartOrderTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var containers: [ContainerDefinition]
        var expected: [String]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "independent containers start by name",
            containers: [ContainerDefinition(name: "b"), ContainerDefinition(name: "a")], expected: ["a", "b"]),
        Case(
            name: "depends-on comes first",
            containers: [ContainerDefinition(name: "a", dependsOn: ["z"]), ContainerDefinition(name: "z")],
            expected: ["z", "a"]),
        Case(
            name: "a namespace join orders like a dependency",
            containers: [
                ContainerDefinition(name: "a", withNamespaces: [NamespaceJoin(type: "network", target: .container("m"))]),
                ContainerDefinition(name: "m"),
            ],
            expected: ["m", "a"]),
        Case(
            name: "a path join does not order",
            containers: [
                ContainerDefinition(name: "b", withNamespaces: [NamespaceJoin(type: "network", target: .path("/run/netns/x"))]),
                ContainerDefinition(name: "a"),
            ],
            expected: ["a", "b"]),
        Case(
            name: "chains",
            containers: [
                ContainerDefinition(name: "a", dependsOn: ["b"]), ContainerDefinition(name: "b", dependsOn: ["c"]),
                ContainerDefinition(name: "c"),
            ],
            expected: ["c", "b", "a"]),
    ]

    @Test(arguments: cases)
    func order(_ c: Case) throws {
        #expect(try StartOrder.sorted(c.containers) == c.expected)
    }

    @Test func cycleIsAnErrorNamingTheContainers() {
        let containers = [ContainerDefinition(name: "a", dependsOn: ["b"]), ContainerDefinition(name: "b", dependsOn: ["a"])]
        #expect {
            try StartOrder.sorted(containers)
        } throws: { error in
            (error as? PlanError)?.message.contains("a, b") == true
        }
    }
}

@Suite struct ChangeReasonTests {
    @Test func namesEachChangedField() {
        let old = Data(#"{"args":["sh"],"cwd":"/","image":"x"}"#.utf8)
        let new = Data(#"{"args":["sh","-c","true"],"image":"x","tty":true}"#.utf8)
        #expect(
            ChangeReasons.between(old: old, new: new) == [
                #"args changed ["sh"] → ["sh","-c","true"]"#,
                #"cwd removed (was "/")"#,
                "tty set to true",
            ])
    }

    @Test func noOldConfigGivesNoReasons() {
        #expect(ChangeReasons.between(old: nil, new: Data("{}".utf8)).isEmpty)
    }
}

@Suite struct DecisionTests {
    func record(_ status: ContainerStatus, hash: String = "h", pid: Int32? = nil, exitCode: Int32? = nil) -> ContainerRecord {
        var r = ContainerRecord(
            project: "p", name: "c", runtimeID: "p.c", configHash: hash, snapshotter: "overlayfs",
            snapshotKey: "p.c", bundlePath: "/b", runtimeBinary: "/usr/sbin/runc", status: status,
            createdAt: "t")
        r.pid = pid
        r.exitCode = exitCode ?? (status == .exited ? 0 : nil)
        r.configJSON = #"{"args":["a"]}"#
        return r
    }

    let canonical = Data(#"{"args":["a"]}"#.utf8)

    func decide(_ situation: Planner.Situation, hash: String = "h", options: Planner.Options = .init()) -> (PlanAction, [String]) {
        Planner.decide(situation, hash: hash, canonical: canonical, imageDigest: nil, options: options)
    }

    func seen(_ record: ContainerRecord, supervised: Bool = true) -> Planner.Situation {
        Planner.Situation(observed: ObservedContainer(record: record, supervised: supervised))
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var label: String
        var situation: Planner.Situation
        var action: PlanAction
        var reason: String
        var testDescription: String { label }
    }

    static func record(_ status: ContainerStatus, exitCode: Int32? = nil) -> ContainerRecord { DecisionTests().record(status, exitCode: exitCode) }

    static let cases: [Case] = [
        Case(label: "new", situation: .init(observed: nil), action: .create, reason: "new container"),
        Case(
            label: "in the runtime without a record", situation: .init(observed: nil, unrecordedInRuntime: true),
            action: .replace, reason: "found in the runtime without a record (the state was lost), will replace"),
        Case(
            label: "running and supervised", situation: .init(observed: .init(record: record(.running))),
            action: .unchanged, reason: "running"),
        Case(
            label: "running without its monitor", situation: .init(observed: .init(record: record(.running), supervised: false)),
            action: .replace, reason: "running without its monitor (unsupervised: its end and output are not recorded), will replace"),
        Case(
            label: "stopped by hand", situation: .init(observed: .init(record: record(.stopped))),
            action: .start, reason: "not running (stopped), will start"),
        Case(
            label: "killed job", situation: .init(observed: .init(record: record(.exited, exitCode: 137))),
            action: .start, reason: "not running (exited 137), will start"),
        Case(
            label: "job whose end was not recorded",
            situation: .init(
                observed: .init(
                    record: {
                        var r = record(.exited)
                        r.exitCode = nil
                        return r
                    }())),
            action: .start, reason: "not running (exited without a recorded status), will start"),
        Case(
            label: "job that finished", situation: .init(observed: .init(record: record(.exited, exitCode: 0))),
            action: .unchanged, reason: "exited with code 0"),
        Case(
            label: "job that failed on its own", situation: .init(observed: .init(record: record(.exited, exitCode: 3))),
            action: .unchanged, reason: "exited with code 3"),
        Case(
            label: "service that exited 0", situation: .init(observed: .init(record: record(.exited, exitCode: 0)), isService: true),
            action: .start, reason: "not running (exited 0), will start"),
        Case(
            label: "snapshot missing", situation: .init(observed: .init(record: record(.running)), snapshot: .missing),
            action: .replace, reason: "writable snapshot missing, will recreate"),
        Case(
            label: "snapshot damaged",
            situation: .init(observed: .init(record: record(.stopped)), snapshot: .damaged("its upper directory is missing")),
            action: .replace, reason: "writable snapshot damaged (its upper directory is missing), will recreate"),
        Case(
            label: "failed start", situation: .init(observed: .init(record: record(.failed))),
            action: .replace, reason: "last start failed: unknown reason"),
        Case(
            label: "created, never started", situation: .init(observed: .init(record: record(.created))),
            action: .replace, reason: "created but never started"),
    ]

    @Test(arguments: cases)
    func whatRunsDecidesTheAction(_ c: Case) {
        let (action, reasons) = decide(c.situation)
        #expect(action == c.action)
        #expect(reasons == [c.reason])
    }

    @Test func forceRecreateReplacesEvenAFinishedJob() {
        #expect(decide(seen(record(.exited)), options: .init(forceRecreate: true)).0 == .replace)
    }

    @Test func changedConfigIsReplacedWithFieldReasonsBeforeAnythingElse() {
        let changed = Data(#"{"args":["b"]}"#.utf8)
        let (action, reasons) = Planner.decide(
            .init(observed: .init(record: record(.running)), snapshot: .missing),
            hash: "other", canonical: changed, imageDigest: nil, options: .init())
        #expect(action == .replace)
        #expect(reasons == [#"args changed ["a"] → ["b"]"#])
    }

    @Test func configHashCoversTheImageDigest() {
        let a = Planner.configHash(canonical: canonical, imageDigest: "sha256:1")
        let b = Planner.configHash(canonical: canonical, imageDigest: "sha256:2")
        #expect(a != b)
        #expect(a == Planner.configHash(canonical: canonical, imageDigest: "sha256:1"))
        #expect(a.hasPrefix("sha256:") && a.count == 71)
    }
}

@Suite struct PlanRendererTests {
    static func samplePlan() throws -> Plan {
        let digest = try Digest(sha256Hex: String(repeating: "a", count: 64))
        let layer = PlannedLayer(
            index: 0, digest: digest, diffID: digest, chainID: digest,
            mediaType: MediaType.ociLayerGzip.rawValue, size: 1_234_567)
        let container = PlannedContainer(
            name: "hello", action: .create, reasons: ["new container"],
            image: PlannedImage(reference: "berth.local/busybox:demo", digest: digest, configDigest: digest, platform: "linux/amd64"),
            unpack: [layer], snapshotter: .overlayfs, snapshotKey: "hello/hello", runtime: "runc", runtimeID: "hello.hello",
            configHash: "sha256:x", definition: ContainerDefinition(name: "hello", image: "berth.local/busybox:demo"))
        return Plan(project: "hello", manifest: "berth.yaml", stateRevision: 3, containers: [container], orphans: [])
    }

    @Test func textShowsImageDigestLayersSnapshotRuntimeAndSummary() throws {
        let text = PlanRenderer.text(try Self.samplePlan())
        let a64 = String(repeating: "a", count: 64)
        #expect(
            text == """
                project hello (berth.yaml)
                + hello: new container
                    image     berth.local/busybox:demo → sha256:\(a64) (linux/amd64)
                    unpack    1 layer, 1.2 MB into overlayfs
                      layer 0 sha256:\(a64) (1.2 MB) → chain aaaaaaaaaaaa
                    snapshot  hello/hello on overlayfs
                    runtime   runc
                    networks  default
                Plan: 1 to create, 0 to replace, 0 unchanged; 1 layer to unpack.

                """)
    }

    @Test func textShowsNetworksAndPublishedPorts() throws {
        var plan = try Self.samplePlan()
        plan.containers[0].definition.ports = [
            PortMapping(hostPort: 8080, containerPort: 80),
            PortMapping(hostIP: IPv4Address("127.0.0.1"), hostPort: 5353, containerPort: 53, proto: .udp),
        ]
        plan.containers[0].definition.networks = [NetworkMembership(network: "back"), NetworkMembership(network: "front")]
        let subnet = try #require(IPv4Subnet("10.89.0.0/24"))
        let back = try #require(IPv4Subnet("10.89.7.0/24"))
        plan.networks = [
            PlannedNetwork(name: "back", owner: "infra", action: .external, subnet: back, gateway: back.firstHost, isInternal: false),
            PlannedNetwork(name: "front", owner: "hello", action: .create, subnet: subnet, gateway: subnet.firstHost, isInternal: true),
        ]
        let text = PlanRenderer.text(plan)
        #expect(
            text.hasPrefix(
                "project hello (berth.yaml)\n= network back: infra_back (external), 10.89.7.0/24\n+ network front: 10.89.0.0/24, gateway 10.89.0.1, internal\n"
            ))
        #expect(text.contains("\n    networks  back, front\n    ports     0.0.0.0:8080->80/tcp, 127.0.0.1:5353->53/udp\n"))
        #expect(text.hasSuffix("Plan: 1 to create, 0 to replace, 0 unchanged, 1 network to create; 1 layer to unpack.\n"))
        let json = try PlanRenderer.json(plan)
        #expect(json.contains("\"networksToCreate\" : 1"))
        #expect(json.contains("\"subnet\" : \"10.89.0.0\\/24\"") || json.contains("\"subnet\" : \"10.89.0.0/24\""))
    }

    @Test func jsonIsStableAndLeavesOutTheStateRevision() throws {
        let plan = try Self.samplePlan()
        let first = try PlanRenderer.json(plan)
        #expect(first == (try PlanRenderer.json(plan)))
        #expect(!first.contains("stateRevision"))
        #expect(first.contains(#""layersToUnpack" : 1"#))
    }

    @Test(arguments: [(Int64(0), "0 B"), (999, "999 B"), (1000, "1.0 kB"), (1_500_000, "1.5 MB"), (2_000_000_000, "2.0 GB")])
    func byteCounts(_ value: Int64, _ expected: String) {
        #expect(PlanRenderer.byteCount(value) == expected)
    }
}
