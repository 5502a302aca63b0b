import BerthSystem
import Diagnostics
import Foundation
import ImageStore
import Manifest
import State
import Testing

@testable import Planner

/// Networks as the planner decides them from the manifest, the state's networks and memberships and the
/// host's routes: subnets chosen, existing networks kept, external ones found, held ports refused.
@Suite struct NetworkPlanningTests {
    static func manifest(_ text: String) throws -> ProjectManifest {
        try ManifestLoader.load(text: text, path: "berth.yaml", directory: "/srv/shop", environment: [:])
    }

    static func planner() throws -> Planner {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("berth-netplan-\(UUID().uuidString)").path
        return Planner(images: try ImageStore(root: directory + "/store"), snapshots: SnapshotStores(root: directory + "/snapshots"))
    }

    static func networks(_ text: String, inputs: PlanInputs) throws -> (networks: [PlannedNetwork], diagnostics: [String]) {
        var diagnostics: [Diagnostic] = []
        let planned = try planner().planNetworks(try manifest(text), project: "shop", inputs: inputs, diagnostics: &diagnostics)
        return (planned, diagnostics.map(\.description))
    }

    static let web = """
        version: 1
        name: shop
        containers:
          web: {image: berth.local/busybox:demo, ports: ["8080:80"]}
        """

    @Test func aSubnetIsChosenAroundOtherNetworksAndHostRoutes() throws {
        var inputs = PlanInputs(project: "shop")
        inputs.networks = [
            NetworkRecord(project: "blog", name: "default", subnet: "10.89.0.0/24", gateway: "10.89.0.1", bridge: "b", isInternal: false)
        ]
        inputs.hostRoutes = [try #require(IPv4Subnet("10.89.1.0/24")), try #require(IPv4Subnet("192.168.0.0/16"))]
        let (planned, diagnostics) = try Self.networks(Self.web, inputs: inputs)
        #expect(diagnostics == [])
        #expect(planned.map(\.name) == ["default"])
        #expect(planned.first?.subnet.description == "10.89.2.0/24" && planned.first?.gateway.description == "10.89.2.1")
        #expect(planned.first?.action == .create && planned.first?.fullName == "shop_default")
        // The same inputs, the same decision.
        #expect(try Self.networks(Self.web, inputs: inputs).networks == planned)
    }

    @Test func anExistingNetworkKeepsItsSubnetAndNewSettingsAreALocatedError() throws {
        var inputs = PlanInputs(project: "shop")
        inputs.networks = [
            NetworkRecord(project: "shop", name: "front", subnet: "10.89.7.0/24", gateway: "10.89.7.1", bridge: "b", isInternal: false)
        ]
        let kept = try Self.networks(
            "version: 1\nnetworks:\n  front: {}\ncontainers:\n  web: {image: i, networks: [front]}\n", inputs: inputs)
        #expect(kept.diagnostics == [])
        #expect(kept.networks.first?.action == .unchanged && kept.networks.first?.subnet.description == "10.89.7.0/24")
        let changed = try Self.networks(
            "version: 1\nnetworks:\n  front: {subnet: 10.89.9.0/24}\ncontainers:\n  web: {image: i, networks: [front]}\n", inputs: inputs)
        #expect(changed.diagnostics.count == 1)
        #expect(
            changed.diagnostics.first?.hasPrefix("berth.yaml:3:3: error: network `front` exists as 10.89.7.0/24") == true, "\(changed.diagnostics)")
    }

    @Test func externalNetworksAreFoundOrNamedAsMissing() throws {
        let text = "version: 1\nnetworks:\n  shared: {external: infra_default}\ncontainers:\n  web: {image: i, networks: [shared]}\n"
        let missing = try Self.networks(text, inputs: PlanInputs(project: "shop"))
        #expect(missing.diagnostics.first?.contains("berth.yaml:3:3: error: external network `infra_default` does not exist") == true)
        var inputs = PlanInputs(project: "shop")
        inputs.networks = [
            NetworkRecord(project: "infra", name: "default", subnet: "10.89.3.0/24", gateway: "10.89.3.1", bridge: "b", isInternal: false)
        ]
        let found = try Self.networks(text, inputs: inputs)
        #expect(found.diagnostics == [])
        #expect(found.networks.first?.action == .external && found.networks.first?.owner == "infra")
    }

    @Test func aDeclaredSubnetOnAnotherNetworkOrRouteIsRefused() throws {
        var inputs = PlanInputs(project: "shop")
        inputs.hostRoutes = [try #require(IPv4Subnet("10.89.0.0/16"))]
        let refused = try Self.networks(
            "version: 1\nnetworks:\n  front: {subnet: 10.89.4.0/24}\ncontainers:\n  web: {image: i, networks: [front]}\n", inputs: inputs)
        #expect(refused.diagnostics.first?.contains("overlaps the host's route to 10.89.0.0/16") == true, "\(refused.diagnostics)")
    }

    @Test func aPortAnotherProjectHoldsIsRefused() throws {
        var inputs = PlanInputs(project: "shop")
        inputs.networks = [
            NetworkRecord(project: "blog", name: "default", subnet: "10.89.0.0/24", gateway: "10.89.0.1", bridge: "b", isInternal: false)
        ]
        inputs.attachments = [
            AttachmentRecord(project: "blog", container: "www", networkProject: "blog", network: "default", interface: "eth0", ports: ["8080:80"])
        ]
        let (_, diagnostics) = try Self.networks(Self.web, inputs: inputs)
        #expect(diagnostics == ["berth.yaml:4:49: error: host port 8080:80 of `web` is held by blog/www; choose another published port"])
    }

    @Test func theRouteTableIsReadLessTheDefaultRouteAndBerthsBridges() {
        let table = """
            Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
            eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0
            eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
            berth-abc\t0000590A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
            docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0
            """
        let routes = PlanInputs.hostRoutes(fromRouteTable: table, excluding: ["berth-abc"])
        #expect(routes.map(\.description) == ["172.17.0.0/16", "192.0.2.0/24"])
    }
}
