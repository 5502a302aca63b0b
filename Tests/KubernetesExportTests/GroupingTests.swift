import OCI
import Foundation
import Manifest
import Testing

@testable import KubernetesExport

@Suite("Pod grouping")
struct GroupingTests {
    private func container(_ name: String, _ joins: [(String, NamespaceJoin.Target)] = []) -> ContainerDefinition {
        ContainerDefinition(
            name: name, image: "busybox", withNamespaces: joins.map { NamespaceJoin(type: NamespaceType(rawValue: $0.0), target: $0.1) })
    }

    @Test func sharedNetworkMakesOnePodWithTwoContainers() {
        let groups = PodGrouping.groups(of: [container("client", [("network", .container("server"))]), container("server")])
        #expect(groups.count == 1)
        #expect(groups.first?.containers.map(\.name) == ["server", "client"])
        #expect(groups.first?.sharesProcessNamespace == false)
    }

    @Test func pidJoinSharesTheProcessNamespace() {
        let groups = PodGrouping.groups(of: [container("app"), container("debug", [("pid", .container("app"))])])
        #expect(groups.map(\.name) == ["app"])
        #expect(groups.first?.sharesProcessNamespace == true)
    }

    @Test(arguments: ["ipc", "uts", "network", "pid"])
    func everyPodNamespaceGroups(_ type: String) {
        #expect(PodGrouping.groups(of: [container("a"), container("b", [(type, .container("a"))])]).count == 1)
    }

    @Test(arguments: ["mount", "user", "cgroup", "time"])
    func otherNamespacesDoNotGroup(_ type: String) {
        #expect(PodGrouping.groups(of: [container("a"), container("b", [(type, .container("a"))])]).count == 2)
    }

    @Test func pathJoinsAndUnrelatedContainersStayApart() {
        let groups = PodGrouping.groups(of: [
            container("a", [("network", .path("/var/run/netns/blue"))]), container("b"), container("c", [("ipc", .container("b"))]),
            container("d", [("network", .container("c"))]),
        ])
        #expect(groups.map { $0.containers.map(\.name) } == [["a"], ["b", "c", "d"]])
    }

    @Test func orderDoesNotDependOnInput() {
        let input = [container("z", [("network", .container("m"))]), container("m"), container("a", [("uts", .container("z"))])]
        #expect(PodGrouping.groups(of: input) == PodGrouping.groups(of: input.reversed()))
    }
}
