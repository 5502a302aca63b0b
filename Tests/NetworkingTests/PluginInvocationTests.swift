import BerthSystem
import Diagnostics
import Foundation
import OCI
import Networking
import Testing

/// Plugin failures the real plugins cannot be made to produce on demand: small scripts in a plugin
/// directory of the test's own, run exactly as a plugin is.
struct PluginInvocationTests {
    struct Case: Sendable, CustomStringConvertible {
        var description: String
        var script: String?
        var timeout: Duration = .seconds(10)
        var code: String
        /// Text the error's description must contain.
        var says: String
    }

    static let cases: [Case] = [
        Case(
            description: "a plugin's error JSON becomes the error's cause",
            script: #"printf '{"cniVersion":"1.0.0","code":7,"msg":"bad bridge","details":"br0 is not a bridge"}'; exit 1"#,
            code: "cni-plugin-failed", says: "bad bridge (br0 is not a bridge) [code 7: invalid network config]"),
        Case(
            description: "a crash without JSON is reported with its stderr",
            script: "echo 'panic: nil map' >&2; exit 2", code: "cni-plugin-failed", says: "exit status 2: panic: nil map"),
        Case(
            description: "output that is not JSON", script: "echo hello; exit 0", code: "cni-bad-output", says: "not JSON"),
        Case(
            description: "a hung plugin is killed", script: "exec sleep 30", timeout: .milliseconds(300), code: "cni-plugin-timeout",
            says: "did not finish within"),
        Case(description: "a missing plugin names the directory", script: nil, code: "cni-plugin-not-found", says: "was not found in"),
    ]

    @Test(arguments: cases)
    func aBrokenPluginGivesAClearError(_ test: Case) throws {
        let scratch = try Scratch("plugin")
        defer { scratch.finish() }
        if let script = test.script {
            try AtomicFile.write(Data("#!/bin/sh\ncat >/dev/null\n\(script)\n".utf8), to: scratch.path + "/broken", mode: 0o755)
        }
        let plugins = CNIPlugins(directories: [scratch.path], timeout: test.timeout)
        let list = CNIConfigList(cniVersion: "1.0.0", name: "broken", plugins: [["type": "broken"]])
        let runtime = CNIRuntimeConfig(containerID: "p.c", netns: "/nonexistent", ifname: "eth0")
        let (_, milliseconds) = timed {
            let error = #expect(throws: NetworkError.self) { _ = try plugins.add(list, runtime) }
            #expect(error?.code == test.code)
            #expect(error?.description.contains(test.says) == true, "\(error?.description ?? "no error")")
            if test.code == "cni-plugin-failed", test.script?.contains("code") == true {
                #expect((error?.underlying as? CNIPluginError)?.code == 7)
                #expect(error?.description.hasPrefix("CNI plugin broken ADD (network broken, container p.c, eth0) failed") == true)
            }
        }
        #expect(milliseconds < 5_000)
    }

    @Test func aPluginTypeCannotNameAPathElsewhere() {
        let plugins = CNIPlugins(directories: ["/usr/lib/cni"])
        for type in ["../../bin/sh", "/bin/sh", "", ".hidden"] {
            #expect(throws: NetworkError.self) { _ = try plugins.executable(for: type) }
        }
    }

    @Test func pathsFromTheCommandLineOrEnvironment() {
        #expect(CNIPlugins(path: nil).directories == ["/usr/lib/cni"])
        #expect(CNIPlugins(path: "").directories == ["/usr/lib/cni"])
        #expect(CNIPlugins(path: "/opt/cni/bin::/usr/lib/cni").directories == ["/opt/cni/bin", "/usr/lib/cni"])
    }

    /// Each plugin of a chain gets the list's name and version, the previous result, and only the
    /// capability arguments it declared — checked by a plugin that records its stdin and environment.
    @Test func aChainPassesPrevResultAndCapabilitiesAsTheSpecSays() throws {
        let scratch = try Scratch("chain")
        defer { scratch.finish() }
        let log = scratch.path + "/log"
        let recorder = """
            #!/bin/sh
            input=$(cat)
            printf '%s %s %s %s\\n%s\\n' "$CNI_COMMAND" "$CNI_CONTAINERID" "$CNI_IFNAME" "$CNI_NETNS" "$input" >> \(log)
            [ "$CNI_COMMAND" = DEL ] && exit 0
            printf '{"cniVersion":"1.0.0","ips":[{"address":"10.9.0.%s/24"}],"interfaces":[{"name":"eth0","sandbox":"/x"}]}' "$STEP"
            """
        for (index, name) in ["first", "second"].enumerated() {
            try AtomicFile.write(
                Data(recorder.replacingOccurrences(of: "$STEP", with: "\(index + 5)").utf8), to: scratch.path + "/" + name, mode: 0o755)
        }
        let plugins = CNIPlugins(directories: [scratch.path])
        let list = CNIConfigList(
            cniVersion: "1.0.0", name: "chain",
            plugins: [["type": "first"], ["type": "second", "capabilities": ["portMappings": true]]])
        let runtime = CNIRuntimeConfig(
            containerID: "p.c", netns: "/run/x", ifname: "eth0", capabilityArgs: ["portMappings": [["hostPort": 8080]], "ips": ["10.9.0.9/24"]])
        let result = try plugins.add(list, runtime)
        #expect(result.ips.map(\.address) == ["10.9.0.6/24"])
        #expect(result.addresses(onInterface: "eth0") == ["10.9.0.6"])
        try plugins.delete(list, runtime, cachedResult: result.raw)

        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.count == 8)
        #expect(lines[0] == "ADD p.c eth0 /run/x" && lines[2] == "ADD p.c eth0 /run/x" && lines[4] == "DEL p.c eth0 /run/x")
        let configs = try [1, 3, 5, 7].map { try JSONDecoder().decode(JSONValue.self, from: Data(lines[$0].utf8)) }
        // ADD 1: no prevResult, no runtimeConfig (it declared no capability).
        #expect(configs[0] == ["type": "first", "name": "chain", "cniVersion": "1.0.0"])
        // ADD 2: the first result, and only portMappings.
        #expect(configs[1]["prevResult"]?["ips"] == [["address": "10.9.0.5/24"]])
        #expect(configs[1]["runtimeConfig"] == ["portMappings": [["hostPort": 8080]]])
        // DEL in reverse, each with the cached final result.
        #expect(configs[2]["type"] == "second" && configs[3]["type"] == "first")
        #expect(configs[2]["prevResult"] == result.raw && configs[3]["prevResult"] == result.raw)
    }

    /// A result as the bridge plugin prints it: the modelled fields parsed, everything kept in `raw`.
    @Test func aResultIsParsedAndKeptWhole() throws {
        let text = #"""
            {"cniVersion":"1.0.0","interfaces":[{"name":"berth-1","mac":"0e:6b:f0:9f:d6:ba"},{"name":"veth1","mac":"0e:f3:f6:26:ed:a8"},
            {"name":"eth0","mac":"e2:ad:b4:90:c5:b3","sandbox":"/run/netns/x"}],"ips":[{"interface":2,"address":"10.213.250.7/24",
            "gateway":"10.213.250.1"}],"routes":[{"dst":"0.0.0.0/0"}],"dns":{"nameservers":["10.213.250.1"]},"x-extra":{"kept":true}}
            """#
        let raw = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        let result = try CNIResult(raw: raw)
        #expect(result.interfaces.map(\.name) == ["berth-1", "veth1", "eth0"])
        #expect(result.ips == [CNIResult.IPConfig(address: "10.213.250.7/24", gateway: "10.213.250.1", interface: 2)])
        #expect(result.routes.map(\.dst) == ["0.0.0.0/0"] && result.dns?.nameservers == ["10.213.250.1"])
        #expect(result.addresses(onInterface: "eth0") == ["10.213.250.7"])
        #expect(result.raw["x-extra"] == ["kept": true])
        #expect(throws: (any Error).self) { _ = try CNIResult(raw: ["ips": "not a list"]) }
    }

    @Test func versionOfTheRealBridgePlugin() throws {
        guard access("/usr/lib/cni/bridge", X_OK) == 0 else {
            print("skipped versionOfTheRealBridgePlugin: /usr/lib/cni/bridge is missing")
            return
        }
        #expect(try CNIPlugins().versions(of: "bridge").contains("1.0.0"))
    }
}
