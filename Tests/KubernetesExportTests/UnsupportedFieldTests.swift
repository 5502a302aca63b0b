import Diagnostics
import Foundation
import KubernetesExport
import Manifest
import Testing

/// A manifest that uses every field Kubernetes cannot express.
let everyUnsupportedField = """
    version: 1
    name: odd
    containers:
      base:
        image: busybox
        checkpoint: berth.local/ckpt:1
        config: /etc/berth/base.json
        no-pivot: true
        runtime: crun
        snapshotter: native
        pids-limit: 10
        depends-on: [tool]
        with-ns:
          - {type: network, path: /var/run/netns/blue}
          - {type: mount, container: tool}
        mounts:
          - {type: proc, source: proc, destination: /proc2}
      tool:
        rootfs: /srv/rootfs
        args: [/bin/sh]

    """

@Suite("Unsupported fields")
struct UnsupportedFieldTests {
    @Test func everyUnsupportedFieldIsOneWarningWithItsLocation() throws {
        let scratch = try TempDirectory()
        defer { scratch.remove() }
        let result = try KubernetesExporter.export(try loadManifest(everyUnsupportedField, in: scratch.path))
        let expected = [
            "berth.yaml:6:17: warning: `checkpoint` cannot be expressed in Kubernetes (Pods cannot restore a CRIU checkpoint); left out",
            "berth.yaml:7:13: warning: `config` cannot be expressed in Kubernetes (no base OCI runtime spec); left out",
            "berth.yaml:8:15: warning: `no-pivot` cannot be expressed in Kubernetes; left out",
            "berth.yaml:9:14: warning: `runtime` crun cannot be expressed in Kubernetes (the node's default runtime is used); left out",
            "berth.yaml:10:18: warning: `snapshotter` native cannot be expressed in Kubernetes (the node chooses); left out",
            "berth.yaml:11:17: warning: `pids-limit` 10 cannot be expressed per container in Kubernetes (only per node); left out",
            "berth.yaml:12:17: warning: `depends-on` tool cannot be expressed in Kubernetes (workloads start in no particular order); left out",
            "berth.yaml:14:9: warning: `with-ns` network namespace at host path /var/run/netns/blue cannot be expressed in Kubernetes; left out",
            "berth.yaml:15:9: warning: `with-ns` mount namespace of container tool cannot be expressed in Kubernetes (a Pod's containers share only network, ipc, uts and pid); left out",
            "berth.yaml:17:9: warning: mount of type proc at /proc2 cannot be expressed in Kubernetes (only bind and tmpfs mounts map to volumes); left out",
            "berth.yaml:19:13: warning: `rootfs` cannot be expressed in Kubernetes (a container's filesystem comes from an image); container tool has no image, so it is left out",
        ]
        #expect(result.warnings.map(\.description) == expected)
        // The rootfs container is left out; the other is exported without the unsupported fields.
        #expect(result.documents.map(\.fileName) == ["00-namespace-odd.yaml", "10-deployment-base.yaml"])
        let workload = try #require(result.documents.last?.yaml)
        for absent in ["crun", "netns", "proc2", "ckpt", "tool", "pids"] {
            #expect(!workload.contains(absent), "\(absent) leaked into the export")
        }
    }

    @Test func strictTurnsLossyWarningsIntoErrors() throws {
        let scratch = try TempDirectory()
        defer { scratch.remove() }
        let manifest = try loadManifest(everyUnsupportedField, in: scratch.path)
        let error = try #require(throws: DiagnosticsError.self) {
            try KubernetesExporter.export(manifest, options: ExportOptions(strict: true))
        }
        #expect(error.category == .manifest)
        #expect(error.diagnostics.count == 11)
        #expect(error.diagnostics.allSatisfy { $0.severity == .error })
        #expect(error.diagnostics.first?.description.hasPrefix("berth.yaml:6:17: error: `checkpoint`") == true)
    }

    @Test func strictKeepsAdvisoryWarnings() throws {
        let scratch = try TempDirectory()
        defer { scratch.remove() }
        let manifest = try loadManifest(
            """
            version: 1
            name: binds
            containers:
              app:
                image: busybox
                mounts: [{type: bind, source: /srv, destination: /srv, options: [rbind, ro]}]

            """, in: scratch.path)
        let result = try KubernetesExporter.export(manifest, options: ExportOptions(strict: true))
        #expect(
            result.warnings.map(\.description) == [
                "berth.yaml:6:14: warning: bind mount of /srv becomes a hostPath volume, which ties the Pod to a node that has this path"
            ])
    }

    @Test func strictPassesACleanManifest() throws {
        let scratch = try TempDirectory()
        defer { scratch.remove() }
        let manifest = try loadManifest("version: 1\nname: clean\ncontainers:\n  app: {image: busybox}\n", in: scratch.path)
        let result = try KubernetesExporter.export(manifest, options: ExportOptions(strict: true))
        #expect(result.warnings.isEmpty)
        #expect(result.documents.count == 2)
    }
}

@Suite("Unsupported fields: security and kernel options")
struct UnsupportedSecurityFieldTests {
    @Test func eachSetOptionIsOneWarningAtItsField() throws {
        let scratch = try TempDirectory()
        defer { scratch.remove() }
        let manifest = try loadManifest(
            """
            version: 1
            name: hardened
            containers:
              web:
                image: busybox
                seccomp: unconfined
                cap-drop: [ALL]
                sysctls: {net.core.somaxconn: 1024}
                pid: host

            """, in: scratch.path)
        let result = try KubernetesExporter.export(manifest)
        let note = "is not exported to Kubernetes (Berth does not map it to a securityContext or Pod field); left out"
        #expect(
            result.warnings.map(\.description) == [
                "berth.yaml:6:14: warning: `seccomp` \(note)", "berth.yaml:7:15: warning: `cap-drop` \(note)",
                "berth.yaml:8:14: warning: `sysctls` \(note)", "berth.yaml:9:10: warning: `pid` \(note)",
            ])
    }
}
