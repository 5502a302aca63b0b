import Diagnostics
import Foundation
import KubernetesExport
import Manifest
import Testing

/// A manifest that uses every networking field Kubernetes cannot carry.
let everyUnsupportedNetworkField = """
    version: 1
    name: nets
    containers:
      web:
        image: nginx
        ports: ["127.0.0.1:8080:80", "8443:443"]
        networks:
          front: {aliases: [www]}
          back: {ipv4-address: 10.89.7.10}
        dns: [1.1.1.1]
        extra-hosts: ["gw:host-gateway", "db:10.0.0.5"]
      lonely:
        image: busybox
        net-none: true
    networks:
      front: {external: other_default}
      back: {internal: true, subnet: 10.89.7.0/24, gateway: 10.89.7.1}

    """

@Suite("Unsupported network fields")
struct NetworkWarningTests {
    @Test func everyUnsupportedNetworkFieldIsOneWarningWithItsLocation() throws {
        let scratch = try TempDirectory()
        defer { scratch.remove() }
        let result = try KubernetesExporter.export(try loadManifest(everyUnsupportedNetworkField, in: scratch.path))
        let expected = [
            "berth.yaml:6:12: warning: published ports 127.0.0.1:8080:80, 8443:443 reach the host in Berth; Service web is ClusterIP, "
                + "reachable at the container's ports from inside the cluster only, so the host ports and host-ip 127.0.0.1 are left out "
                + "(use a NodePort or LoadBalancer Service, an Ingress, or kubectl port-forward)",
            "berth.yaml:8:7: warning: aliases www on network front cannot be expressed in Kubernetes (a Pod has no DNS names of its own); "
                + "other Pods reach this one by its Service name web; left out",
            "berth.yaml:8:7: warning: ipv4-address 10.89.7.10 on network back cannot be expressed in Kubernetes "
                + "(the cluster assigns Pod addresses); left out",
            "berth.yaml:8:7: warning: networks back, front cannot be expressed in Kubernetes (one flat Pod network: every Pod reaches "
                + "every other unless a NetworkPolicy says otherwise); other Pods reach this one by its Service name web; left out",
            "berth.yaml:10:10: warning: dns replaces the cluster's name servers in Pod web (dnsPolicy None): Service names resolve there "
                + "only if one of 1.1.1.1 answers for the cluster's domain",
            "berth.yaml:11:18: warning: extra-hosts gw:host-gateway cannot be expressed in Kubernetes (host-gateway is the Berth host's "
                + "bridge address; a Pod's node has no fixed address in the manifest); left out",
            "berth.yaml:14:15: warning: `net-none` cannot be expressed in Kubernetes (every Pod has a network interface and an address); "
                + "left out",
            "berth.yaml:16:3: warning: network front is `external` (other_default, another project's), which cannot be expressed in "
                + "Kubernetes (all namespaces share one Pod network: reach another project's Pods by Service name.namespace); left out",
            "berth.yaml:17:3: warning: network back is `internal` (no route out), which cannot be expressed in Kubernetes "
                + "(Pods reach outside the cluster unless a NetworkPolicy denies egress); left out",
            "berth.yaml:17:3: warning: subnet 10.89.7.0/24 and gateway 10.89.7.1 of network back cannot be expressed in Kubernetes "
                + "(the cluster assigns Pod addresses); left out",
        ]
        #expect(result.warnings.map(\.description) == expected)
        #expect(
            result.documents.map(\.fileName) == [
                "00-namespace-nets.yaml", "05-service-web.yaml", "10-deployment-lonely.yaml", "10-deployment-web.yaml",
            ])
    }

    @Test func strictFailsOnNetworkLossButKeepsTheDNSNote() throws {
        let scratch = try TempDirectory()
        defer { scratch.remove() }
        let manifest = try loadManifest(everyUnsupportedNetworkField, in: scratch.path)
        let error = try #require(throws: DiagnosticsError.self) {
            try KubernetesExporter.export(manifest, options: ExportOptions(strict: true))
        }
        #expect(error.diagnostics.filter { $0.severity == .error }.count == 9)
        #expect(error.diagnostics.filter { $0.severity == .warning }.map(\.message).allSatisfy { $0.hasPrefix("dns replaces") })
    }

    @Test func exposeAloneIsNotLossy() throws {
        let scratch = try TempDirectory()
        defer { scratch.remove() }
        let manifest = try loadManifest(
            "version: 1\nname: clean\ncontainers:\n  app: {image: busybox, expose: [\"80\"], dns-search: [example.com]}\n",
            in: scratch.path)
        let result = try KubernetesExporter.export(manifest, options: ExportOptions(strict: true))
        #expect(result.warnings.isEmpty)
        #expect(result.documents.map(\.kind) == ["Namespace", "Service", "Deployment"])
    }

    @Test func serviceNameCollisionIsAnError() throws {
        let scratch = try TempDirectory()
        defer { scratch.remove() }
        let manifest = try loadManifest(
            """
            version: 1
            name: clash
            containers:
              1web: {image: nginx, expose: ["80"]}
              svc-1web: {image: nginx, expose: ["80"]}

            """, in: scratch.path)
        let error = try #require(throws: KubernetesExportError.self) { try KubernetesExporter.export(manifest) }
        #expect(error.code == "name-collision")
        #expect(error.message == "containers 1web and svc-1web both become svc-1web as Kubernetes names; rename one")
    }
}
