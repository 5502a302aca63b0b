import Foundation
import Runtime
import Testing

/// Networks with the real CNI plugins and real runc: published ports reached from the host, names resolved
/// between containers through the hosts files Berth keeps, and nothing left on the host after `down`.
@Suite(.serialized) struct NetworkingTests {
    /// What `down` must leave of a project's networking: no iptables rule naming it, no bridge or netns of
    /// its state root, no network files.
    static func expectNothingLeft(_ fixture: BerthFixture, project: String, subnetPrefix: String? = nil) throws {
        let rules = try ProcessRunner().run("/usr/sbin/iptables-save", []).stdoutText
        // The plugins' comments name the CNI container id, `<state root id>-<project>.<name>`.
        let ids = rules.split(separator: "\n").filter { $0.contains("-\(project).") }
        #expect(ids.isEmpty, "iptables rules naming \(project) were left: \(ids)")
        if let subnetPrefix { #expect(!rules.contains(subnetPrefix), "iptables rules of \(subnetPrefix)0/24 were left") }
        let mounts = try String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)
        #expect(!mounts.contains(fixture.root + "/network"), "a network namespace is still mounted")
        for directory in ["attachments", "netns", "ipam", "conflists"] {
            let left = (try? FileManager.default.contentsOfDirectory(atPath: fixture.root + "/network/" + directory)) ?? []
            #expect(left.isEmpty, "network/\(directory) left: \(left)")
        }
    }

    /// The address `name` has in `hostsFile`, and how many lines name it.
    static func address(of name: String, in hostsFile: String) throws -> (address: String?, lines: Int) {
        let text = try String(contentsOfFile: hostsFile, encoding: .utf8)
        let lines = text.split(separator: "\n").filter { $0.split(whereSeparator: { $0 == "\t" || $0 == " " }).dropFirst().contains { $0 == name } }
        return (lines.first.map { String($0.split(separator: "\t")[0]) }, lines.count)
    }

    @Test func aPublishedPortAnswersOnTheHostAndNamesFollowAReplacedContainer() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let project = "it-net-web"
        func text(version: Int) -> String {
            """
            version: 1
            name: \(project)
            containers:
              web:
                image: berth.local/busybox:demo
                env: {VERSION: "\(version)"}
                args: ["sh", "-c", "mkdir -p /www && echo \\"web $$VERSION\\" > /www/index.html && exec httpd -f -p 80 -h /www"]
                ports: ["18480:80"]
              client:
                image: berth.local/busybox:demo
                depends-on: [web]
                args: ["sh", "-c", "sleep 0.3; wget -q -O- http://web/index.html"]
              sidecar:
                image: berth.local/busybox:demo
                with-ns: [{type: network, container: web}]
                args: ["sh", "-c", "grep -q 'web web.\(project)' /etc/hosts && echo sidecar sees the hosts of web"]
            """
        }
        let manifest = try fixture.manifest(text(version: 1), project: project)
        let first = try fixture.run(["apply", "-f", manifest, "--wait"])
        #expect(first.status == 0, "\(first.stderrText)")
        #expect(first.stdoutText.contains("web 1"), "the client did not reach web by name: \(first.stdoutText)")
        #expect(first.stdoutText.contains("sidecar sees the hosts of web"), "\(first.stdoutText)")
        let curl = try ProcessRunner().run("/usr/bin/curl", ["-s", "-m", "5", "http://127.0.0.1:18480/index.html"])
        #expect(curl.stdoutText == "web 1\n", "the published port did not answer: \(curl.stderrText)")

        let port = try fixture.run(["port", "-f", manifest, "web"])
        #expect(port.stdoutText == "80/tcp -> 0.0.0.0:18480\n", "\(port.stdoutText)\(port.stderrText)")
        #expect(try fixture.run(["port", "-f", manifest, "web", "80"]).stdoutText == "0.0.0.0:18480\n")
        let listed = try fixture.run(["ps", "-p", project, "--format", "json"]).stdoutText
        #expect(listed.contains("\"0.0.0.0:18480->80/tcp\"") && listed.contains("\"name\" : \"\(project)_default\""), "\(listed)")

        let clientHosts = fixture.root + "/containers/\(project)/client/hosts"
        let webHosts = fixture.root + "/containers/\(project)/web/hosts"
        let before = try Self.address(of: "web", in: clientHosts)
        #expect(before.lines == 1 && before.address != nil)
        #expect(try Self.address(of: "client", in: webHosts).lines == 1)

        // Replaced: a new address, and the client's file (rewritten in place, same inode) names only it.
        let inode = try FileManager.default.attributesOfItem(atPath: clientHosts)[.systemFileNumber] as? UInt64
        try Data(text(version: 2).utf8).write(to: URL(fileURLWithPath: manifest))
        let second = try fixture.run(["apply", "-f", manifest])
        #expect(second.status == 0, "\(second.stderrText)")
        let after = try Self.address(of: "web", in: clientHosts)
        let clientText = try String(contentsOfFile: clientHosts, encoding: .utf8)
        #expect(after.lines == 1, "stale or duplicate entries for web: \(clientText)")
        #expect(after.address != nil && after.address != before.address, "web kept its address \(before.address ?? "")")
        #expect(try FileManager.default.attributesOfItem(atPath: clientHosts)[.systemFileNumber] as? UInt64 == inode)
        #expect(try Self.address(of: "web", in: webHosts).address == after.address)
        // The client, started again in place, reaches the new web by name.
        #expect(try fixture.run(["start", "-f", manifest, "client"]).status == 0)
        let waited = try fixture.run(["wait", "-f", manifest, "client"])
        #expect(waited.stdoutText == "client 0\n", "\(waited.stdoutText) \(waited.stderrText)")
        let logs = try fixture.run(["logs", "--file", manifest, "client"])
        #expect(logs.stdoutText.contains("web 2"), "\(logs.stdoutText)")

        #expect(try fixture.run(["down", "-f", manifest, "-t", "1"]).status == 0)
        try Self.expectNothingLeft(fixture, project: project)
        let gone = try ProcessRunner().run("/usr/bin/curl", ["-s", "-m", "2", "http://127.0.0.1:18480/index.html"])
        #expect(gone.stdoutText.isEmpty)
    }

    @Test func anInternalNetworkHasNoRouteOutAndProjectsResolveOnlyTheirOwn() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        var manifests: [String] = []
        for project in ["it-net-a", "it-net-b"] {
            manifests.append(
                try fixture.manifest(
                    """
                    version: 1
                    name: \(project)
                    networks:
                      back: {internal: true}
                    containers:
                      web:
                        image: berth.local/busybox:demo
                        args: ["sleep", "600"]
                      client:
                        image: berth.local/busybox:demo
                        args: ["sleep", "600"]
                      inside:
                        image: berth.local/busybox:demo
                        networks: [back]
                        args: ["sh", "-c", "ip route; echo end"]
                    """, project: project))
        }
        for manifest in manifests {
            let applied = try fixture.run(["apply", "-f", manifest])
            #expect(applied.status == 0, "\(applied.stderrText)")
            #expect(try fixture.run(["wait", "-f", manifest, "inside"]).stdoutText == "inside 0\n")
            let routes = try fixture.run(["logs", "--file", manifest, "inside"]).stdoutText
            #expect(routes.hasSuffix("end\n"))
            #expect(!routes.contains("default"), "an internal network has a route out: \(routes)")
        }
        let webA = try Self.address(of: "web", in: fixture.root + "/containers/it-net-a/web/hosts").address
        let webB = try Self.address(of: "web", in: fixture.root + "/containers/it-net-b/web/hosts").address
        #expect(webA != nil && webB != nil && webA != webB)
        let clientA = try String(contentsOfFile: fixture.root + "/containers/it-net-a/client/hosts", encoding: .utf8)
        let clientB = try String(contentsOfFile: fixture.root + "/containers/it-net-b/client/hosts", encoding: .utf8)
        #expect(try Self.address(of: "web", in: fixture.root + "/containers/it-net-a/client/hosts").address == webA)
        #expect(try Self.address(of: "web", in: fixture.root + "/containers/it-net-b/client/hosts").address == webB)
        #expect(!clientA.contains("it-net-b") && !clientB.contains("it-net-a"))
        // The internal network's member is not on the default network: no one else resolves it.
        #expect(!clientA.contains("inside"))
        for manifest in manifests { #expect(try fixture.run(["down", "-f", manifest, "-t", "1"]).status == 0) }
        for project in ["it-net-a", "it-net-b"] { try Self.expectNothingLeft(fixture, project: project) }
    }

    @Test func udpRangesAndAHostAddressArePublishedAndReleased() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let project = "it-net-ports"
        let manifest = try fixture.manifest(
            """
            version: 1
            name: \(project)
            containers:
              dns:
                image: berth.local/busybox:demo
                args: ["sleep", "600"]
                ports: ["127.0.0.1:18453:53/udp", "18491-18492:8091-8092"]
            """, project: project)
        #expect(try fixture.run(["apply", "-f", manifest]).status == 0)
        let nat = try ProcessRunner().run("/usr/sbin/iptables-save", ["-t", "nat"]).stdoutText
        let dnat = nat.split(separator: "\n").filter { $0.contains("DNAT") && $0.contains("--to-destination") }
        #expect(dnat.contains { $0.contains("-d 127.0.0.1") && $0.contains("-p udp") && $0.contains("--dport 18453") }, "\(dnat)")
        #expect(dnat.contains { $0.contains("-p tcp") && $0.contains("--dport 18491") && $0.contains(":8091") })
        #expect(dnat.contains { $0.contains("-p tcp") && $0.contains("--dport 18492") && $0.contains(":8092") })
        let networks = try fixture.run(["network", "ls"]).stdoutText
        #expect(networks.hasPrefix("NETWORK") && networks.contains("\(project)_default") && networks.contains("berth-"), "\(networks)")
        let listed = try fixture.run(["network", "ls", "--format", "json"]).stdoutText
        #expect(listed.contains("\"\(project)/dns 10.89."), "\(listed)")
        let plan = try fixture.run(["plan", "-f", manifest])
        #expect(plan.stdoutText.contains("ports     127.0.0.1:18453->53/udp, 0.0.0.0:18491->8091/tcp, 0.0.0.0:18492->8092/tcp"))

        // Another project cannot publish a port this one holds: a located plan error.
        let other = try fixture.manifest(
            """
            version: 1
            name: it-net-other
            containers:
              web:
                image: berth.local/busybox:demo
                args: ["sleep", "600"]
                ports: ["18491:80"]
            """, project: "it-net-other")
        let refused = try fixture.run(["plan", "-f", other])
        #expect(refused.status != 0)
        #expect(refused.stderrText.contains("berth.yaml:7:") && refused.stderrText.contains("held by it-net-ports/dns"), "\(refused.stderrText)")

        #expect(try fixture.run(["down", "-f", manifest, "-t", "1"]).status == 0)
        let after = try ProcessRunner().run("/usr/sbin/iptables-save", ["-t", "nat"]).stdoutText
        #expect(!after.contains("18453") && !after.contains("18491"), "port rules left after down")
        try Self.expectNothingLeft(fixture, project: project)
    }

    @Test func aKilledMonitorAndAKilledContainerLeaveNothingAfterDown() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let project = "it-net-faults"
        let manifest = try fixture.manifest(
            """
            version: 1
            name: \(project)
            containers:
              a:
                image: berth.local/busybox:demo
                args: ["sleep", "600"]
                ports: ["18493:80"]
              b:
                image: berth.local/busybox:demo
                args: ["sleep", "600"]
            """, project: project)
        #expect(try fixture.run(["apply", "-f", manifest]).status == 0)
        struct Row: Decodable {
            var name: String
            var pid: Int32?
            var monitorPid: Int32?
        }
        let rows = try JSONDecoder().decode([Row].self, from: try fixture.run(["ps", "-p", project, "--format", "json"]).stdout)
        let a = try #require(rows.first { $0.name == "a" })
        let b = try #require(rows.first { $0.name == "b" })
        // a's monitor dies (the container runs on, unsupervised); b's process is killed (a crashed container).
        #expect(kill(try #require(a.monitorPid), SIGKILL) == 0)
        #expect(kill(try #require(b.pid), SIGKILL) == 0)
        usleep(300_000)
        let down = try fixture.run(["down", "-f", manifest, "-t", "1"])
        #expect(down.status == 0, "\(down.stderrText)")
        try Self.expectNothingLeft(fixture, project: project)
        let nat = try ProcessRunner().run("/usr/sbin/iptables-save", ["-t", "nat"]).stdoutText
        #expect(!nat.contains("18493"), "the published port's rules were left")
    }
    /// The runtime creates a networked container while its CNI chain runs and starts it only when the chain has
    /// ended. A chain that fails (a portmap that refuses) leaves nothing: the apply names the plugin, the created
    /// container is deleted from the runtime before it ever runs, its rootfs is unmounted, no record, netns or
    /// rule stays; with the real plugins the next apply runs it, and its output shows it started once.
    @Test func aFailingChainLeavesNoCreatedContainerBehind() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let project = "it-net-gate"
        let plugins = fixture.root + "/../cni-broken"
        try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true)
        for plugin in ["bridge", "host-local", "firewall", "loopback"] {
            try FileManager.default.createSymbolicLink(atPath: plugins + "/" + plugin, withDestinationPath: "/usr/lib/cni/" + plugin)
        }
        let refusing = plugins + "/portmap"
        try """
        #!/bin/sh
        cat > /dev/null
        [ "$CNI_COMMAND" = ADD ] || exit 0
        echo '{"cniVersion": "1.0.0", "code": 999, "msg": "portmap refuses for this test"}'
        exit 1
        """.write(toFile: refusing, atomically: true, encoding: .utf8)
        chmod(refusing, 0o755)
        let manifest = try fixture.manifest(
            """
            version: 1
            name: \(project)
            containers:
              once:
                image: berth.local/busybox:demo
                args: ["sh", "-c", "echo started"]
                ports: ["18497:80"]
            """, project: project)
        let failed = try fixture.run(["apply", "-f", manifest, "--wait"], environment: ["BERTH_CNI_PATH": plugins])
        #expect(failed.status != 0)
        #expect(failed.stderrText.contains("portmap refuses for this test"), "\(failed.stderrText)")
        #expect(!failed.stdoutText.contains("started"), "the container ran although its network failed")
        let runtime = try ProcessRunner().run("/usr/sbin/runc", ["--root", fixture.root + "/runtime", "list", "-q"]).stdoutText
        #expect(!runtime.contains("\(project).once"), "the created container was left in the runtime: \(runtime)")
        let mounts = try String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)
        #expect(!mounts.contains(fixture.root + "/containers/\(project)"), "the rootfs stayed mounted")
        let ps = try fixture.run(["ps", "-p", project, "--format", "json"])
        #expect(!ps.stdoutText.contains("\"once\""), "a record stayed: \(ps.stdoutText)")
        // The container's share of the network is gone; the project's network itself stays until `down`.
        let rules = try ProcessRunner().run("/usr/sbin/iptables-save", []).stdoutText
        #expect(!rules.contains("-\(project).once"), "iptables rules of the container were left")
        for directory in ["attachments", "netns"] {
            let left = (try? FileManager.default.contentsOfDirectory(atPath: fixture.root + "/network/" + directory)) ?? []
            #expect(left.isEmpty, "network/\(directory) left: \(left)")
        }
        let leases = FileManager.default.enumerator(atPath: fixture.root + "/network/ipam")?.compactMap { $0 as? String }.filter {
            ($0 as NSString).lastPathComponent.hasPrefix("10.")
        }
        #expect(leases?.isEmpty ?? true, "an address lease was left: \(leases ?? [])")

        let again = try fixture.run(["apply", "-f", manifest, "--wait"])
        #expect(again.status == 0, "\(again.stderrText)")
        #expect(again.stdoutText == "started\n")
        #expect(try fixture.run(["down", "-f", manifest, "-t", "1"]).status == 0)
        try Self.expectNothingLeft(fixture, project: project)
    }
}
