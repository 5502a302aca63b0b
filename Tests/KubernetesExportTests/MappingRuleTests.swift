import Foundation
import KubernetesExport
import Manifest
import OCI
import Testing

/// One mapping rule: a manifest's `containers:` section, export options, and what must come out:
/// Golden/rule-<name>.yaml, and warnings (each expected text must appear in exactly one warning, none extra).
struct RuleCase: CustomTestStringConvertible, Sendable {
    var name: String
    var containers: String
    var options = ExportOptions()
    /// Files written next to the manifest (env-files, bind sources).
    var files: [String: String] = [:]
    var warnings: [String] = []
    /// A top-level `networks:` section's body, when the case needs one.
    var networks: String?

    var testDescription: String { name }

    func export(in directory: String) throws -> ExportResult {
        let text = "version: 1\nname: rules\ncontainers:\n" + containers + (networks.map { "networks:\n" + $0 } ?? "")
        let manifest = try loadManifest(text, in: directory)
        return try KubernetesExporter.export(manifest, options: options)
    }
}

let testDigest: Digest = {
    do {
        return try Digest(parsing: "sha256:" + String(repeating: "ab", count: 32))
    } catch {
        preconditionFailure("fixed test digest must parse")
    }
}()

let passwd = "root:x:0:0:root:/root:/bin/sh\n# comment\nwww:x:33:34:www:/var/www:/bin/false\nbroken line\n"
let group = "root:x:0:\nstaff:x:50:www\n"

let ruleCases: [RuleCase] = [
    RuleCase(name: "image", containers: "  web: {image: docker.io/library/nginx:1.27}\n"),
    RuleCase(
        name: "image-pinned", containers: "  web: {image: \"nginx:1.27@sha256:\(String(repeating: "00", count: 32))\"}\n",
        options: ExportOptions(pinnedDigests: ["nginx:1.27@sha256:\(String(repeating: "00", count: 32))": testDigest])),
    RuleCase(
        name: "image-pinned-registry-port", containers: "  web: {image: \"localhost:5000/team/app:v2\"}\n",
        options: ExportOptions(pinnedDigests: ["localhost:5000/team/app:v2": testDigest])),
    RuleCase(
        name: "args-command",
        containers: """
              sh:
                image: busybox
                args: [sh, -c, "echo $$HOME $$(id -u) $$$$ done$$"]

            """),
    RuleCase(name: "cwd", containers: "  app: {image: busybox, cwd: /srv/app}\n"),
    RuleCase(
        name: "env-and-env-files",
        containers: """
              app:
                image: busybox
                env-files: [./base.env, ./override.env]
                env: {ZED: last, MIDDLE: "from env", PRICE: "$$(cost)"}

            """, files: ["base.env": "MIDDLE=from base\nALPHA=1\n", "override.env": "ALPHA=2\nBETA=two words\n"]),
    RuleCase(
        name: "labels",
        containers: """
              app:
                image: busybox
                labels:
                  tier: web
                  example.com/owner: team-a
                  note: "has spaces, so an annotation"
                  "bad key!": value
                  app.kubernetes.io/name: mine

            """,
        warnings: [
            "label app.kubernetes.io/name is set by the export",
            "label key \"bad key!\" is not a valid Kubernetes label key",
            "label note has a value Kubernetes rejects in labels",
        ]),
    RuleCase(name: "readonly", containers: "  app: {image: busybox, readonly: true}\n"),
    RuleCase(name: "user-uid-gid", containers: "  app: {image: busybox, user: \"65534:65534\"}\n"),
    RuleCase(name: "user-uid", containers: "  app: {image: busybox, user: \"1000\"}\n"),
    RuleCase(
        name: "user-name", containers: "  app: {image: busybox, user: www}\n",
        options: ExportOptions(userResolver: { _, user in try ImageUserTables(passwd: passwd, group: group).resolve(user) })),
    RuleCase(
        name: "user-name-group", containers: "  app: {image: busybox, user: \"www:staff\"}\n",
        options: ExportOptions(userResolver: { _, user in try ImageUserTables(passwd: passwd, group: group).resolve(user) })),
    RuleCase(name: "privileged", containers: "  app: {image: busybox, privileged: true}\n"),
    RuleCase(name: "tty", containers: "  app: {image: busybox, tty: true}\n"),
    RuleCase(name: "net-host", containers: "  app: {image: busybox, net-host: true}\n"),
    RuleCase(name: "hostname", containers: "  app: {image: busybox, hostname: box-1}\n"),
    RuleCase(name: "resources", containers: "  app: {image: busybox, memory-limit: 64m, cpus: 1.5}\n"),
    RuleCase(name: "resources-whole-cpu", containers: "  app: {image: busybox, memory-limit: 1000, cpus: 2}\n"),
    RuleCase(
        name: "bind-mount",
        containers: """
              app:
                image: busybox
                mounts:
                  - {type: bind, source: ./data, destination: /data, options: [rbind, ro]}
                  - type=bind,src=./cache,dst=/cache,options=rbind:rw

            """, files: ["data/file": "x", "cache/file": "y"],
        warnings: ["bind mount of", "bind mount of"]),
    RuleCase(
        name: "tmpfs",
        containers: """
              app:
                image: busybox
                mounts:
                  - type=tmpfs,dst=/scratch,options=size=16m:mode=1777
                  - {type: tmpfs, destination: /run, options: [size=1g, noexec]}
                  - {type: tmpfs, destination: /small}

            """, warnings: ["tmpfs mount options noexec at /run cannot be expressed"]),
    RuleCase(name: "workload-pod", containers: "  app: {image: busybox}\n", options: ExportOptions(workload: .pod)),
    RuleCase(name: "workload-job", containers: "  app: {image: busybox, args: [\"true\"]}\n", options: ExportOptions(workload: .job)),
    RuleCase(
        name: "group-network",
        containers: """
              web: {image: nginx}
              sidecar:
                image: busybox
                with-ns: [{type: network, container: web}]
              other: {image: busybox}

            """),
    RuleCase(
        name: "group-pid",
        containers: """
              app: {image: busybox, hostname: shared}
              debugger:
                image: busybox
                with-ns: [{type: pid, container: app}, {type: uts, container: app}]

            """),
    RuleCase(
        name: "group-chain",
        containers: """
              a: {image: busybox}
              b:
                image: busybox
                with-ns: [{type: ipc, container: a}]
              c:
                image: busybox
                with-ns: [{type: network, container: b}]
                hostname: other
              d: {image: busybox, hostname: mine}

            """),
    RuleCase(
        name: "group-conflicts",
        containers: """
              app: {image: busybox, hostname: one, labels: {tier: web, team: a}}
              helper:
                image: busybox
                hostname: two
                labels: {tier: cache, team: a}
                with-ns: [{type: uts, container: app}]

            """, warnings: ["hostname two differs from one of container app", "label tier=cache conflicts with tier=web"]),
    RuleCase(
        name: "cpus-rounded", containers: "  app: {image: busybox, cpus: 0.3333}\n",
        warnings: ["cpus 0.3333 rounded to 333m"]),
    RuleCase(
        name: "hostname-invalid", containers: "  app: {image: busybox, hostname: Box.example.com}\n",
        warnings: ["hostname \"Box.example.com\" is not a valid Kubernetes Pod hostname"]),
    RuleCase(
        name: "name-sanitized", containers: "  my_app.v2: {image: busybox}\n",
        warnings: ["container name my_app.v2 is not a valid Kubernetes name (RFC 1123 label); exported as my-app-v2"]),
]

/// Every rule case: the ones above and the networking ones (NetworkRuleCases.swift).
let allRuleCases = ruleCases + networkRuleCases

@Suite("Mapping rules")
struct MappingRuleTests {
    @Test(arguments: allRuleCases)
    func rule(_ testCase: RuleCase) throws {
        let scratch = try TempDirectory()
        defer { scratch.remove() }
        for (name, text) in testCase.files {
            try FileManager.default.createDirectory(
                atPath: scratch.path + "/" + ((name as NSString).deletingLastPathComponent),
                withIntermediateDirectories: true)
            try scratch.write(name, text)
        }
        let result = try testCase.export(in: scratch.path)
        let again = try testCase.export(in: scratch.path)
        #expect(result == again, "export is not deterministic")
        try Golden.check(result.stream.replacingOccurrences(of: scratch.path, with: "<dir>"), name: "rule-\(testCase.name)")
        var remaining = result.warnings.map(\.description)
        for expected in testCase.warnings {
            if let index = remaining.firstIndex(where: { $0.contains(expected) }) {
                remaining.remove(at: index)
            } else {
                Issue.record("no warning containing \"\(expected)\" in \(result.warnings.map(\.description))")
            }
        }
        #expect(remaining.isEmpty, "unexpected warnings: \(remaining)")
        #expect(result.warnings.allSatisfy { $0.severity == .warning && $0.location?.file == "berth.yaml" })
    }

    @Test func caseNamesAreUnique() {
        #expect(Set(allRuleCases.map(\.name)).count == allRuleCases.count)
    }

    @Test func rulesPassKubernetesValidate() throws {
        try KubeValidate.require()
        let scratch = try TempDirectory()
        defer { scratch.remove() }
        var files: [String] = []
        for testCase in allRuleCases {
            let caseDirectory = scratch.path + "/" + testCase.name
            try FileManager.default.createDirectory(atPath: caseDirectory + "/out", withIntermediateDirectories: true)
            for (name, text) in testCase.files {
                try FileManager.default.createDirectory(
                    atPath: caseDirectory + "/" + ((name as NSString).deletingLastPathComponent),
                    withIntermediateDirectories: true)
                try Data(text.utf8).write(to: URL(fileURLWithPath: caseDirectory + "/" + name))
            }
            for document in try testCase.export(in: caseDirectory).documents {
                let file = caseDirectory + "/out/" + document.fileName
                try Data(document.yaml.utf8).write(to: URL(fileURLWithPath: file))
                files.append(file)
            }
        }
        let result = try KubeValidate.validate(files: files)
        #expect(result.status == 0, "kubernetes-validate --strict failed:\n\(result.output)")
    }
}
