import BerthSystem
import Foundation
import Networking
import Testing

/// The conflist Berth writes for a network: its chain, its bytes.
struct ConflistTests {
    static func spec(internal: Bool = false, gateway: String? = nil) throws -> NetworkSpec {
        try NetworkSpec(
            name: "shop_default", bridgeName: "berth-0123abcde", subnet: cidr("10.89.3.0/24"),
            gateway: gateway.flatMap(IPv4Address.init), internal: `internal`)
    }

    @Test func anOrdinaryNetworkChainsBridgePortmapAndFirewall() throws {
        let list = try Self.spec().configList(ipamDataDirectory: "/var/lib/berth/network/ipam")
        let expected = """
            {
              "cniVersion" : "1.0.0",
              "name" : "shop_default",
              "plugins" : [
                {
                  "bridge" : "berth-0123abcde",
                  "capabilities" : {
                    "ips" : true
                  },
                  "hairpinMode" : true,
                  "ipMasq" : true,
                  "ipam" : {
                    "dataDir" : "/var/lib/berth/network/ipam",
                    "ranges" : [
                      [
                        {
                          "gateway" : "10.89.3.1",
                          "subnet" : "10.89.3.0/24"
                        }
                      ]
                    ],
                    "routes" : [
                      {
                        "dst" : "0.0.0.0/0"
                      }
                    ],
                    "type" : "host-local"
                  },
                  "isGateway" : true,
                  "type" : "bridge"
                },
                {
                  "capabilities" : {
                    "portMappings" : true
                  },
                  "snat" : true,
                  "type" : "portmap"
                },
                {
                  "backend" : "iptables",
                  "type" : "firewall"
                }
              ]
            }
            """
        #expect(String(decoding: list.json, as: UTF8.self) == expected)
        #expect(try CNIConfigList(json: list.json) == list)
    }

    @Test func anInternalNetworkHasNoGatewayRouteMasqueradeOrPortmap() throws {
        let list = try Self.spec(internal: true).configList(ipamDataDirectory: "/d")
        #expect(list.plugins.map { $0["type"] } == ["bridge", "firewall"])
        #expect(list.plugins[0]["isGateway"] == false && list.plugins[0]["ipMasq"] == false)
        #expect(list.plugins[0]["ipam"]?["routes"] == nil)
    }

    @Test func theSameSpecGivesTheSameBytesAndAGatewayIsKept() throws {
        let a = try Self.spec(gateway: "10.89.3.254").configList(ipamDataDirectory: "/d").json
        let b = try Self.spec(gateway: "10.89.3.254").configList(ipamDataDirectory: "/d").json
        #expect(a == b)
        #expect(String(decoding: a, as: UTF8.self).contains("\"gateway\" : \"10.89.3.254\""))
    }

    @Test func bridgeNamesAreShortStableAndScoped() {
        let name = NetworkSpec.bridgeName(network: "shop_default", scope: "/var/lib/berth")
        #expect(name.count == 15 && name.hasPrefix("berth-"))
        #expect(name == NetworkSpec.bridgeName(network: "shop_default", scope: "/var/lib/berth"))
        #expect(name != NetworkSpec.bridgeName(network: "shop_default", scope: "/tmp/other-root"))
        #expect(name != NetworkSpec.bridgeName(network: "shop_front", scope: "/var/lib/berth"))
    }

    struct SubnetCase: Sendable, CustomStringConvertible {
        var text: String
        var valid: Bool
        var description: String { text }
    }

    @Test(arguments: [
        SubnetCase(text: "10.89.0.0/24", valid: true), SubnetCase(text: "172.30.0.0/16", valid: true),
        SubnetCase(text: "10.89.0.1/24", valid: false), SubnetCase(text: "10.89.0.0/31", valid: false),
        SubnetCase(text: "10.89.0.0", valid: false), SubnetCase(text: "10.089.0.0/24", valid: false),
        SubnetCase(text: "256.1.0.0/16", valid: false), SubnetCase(text: "10.89.0.0/x", valid: false),
    ])
    func subnets(_ test: SubnetCase) {
        #expect((IPv4Subnet(test.text).map { (8...30).contains($0.prefixLength) } ?? false) == test.valid)
    }

    @Test func overlapsAndGateways() throws {
        #expect(cidr("10.89.0.0/16").overlaps(cidr("10.89.3.0/24")))
        #expect(try !cidr("10.89.0.0/24").overlaps(cidr("10.89.1.0/24")))
        #expect(throws: NetworkError.self) { _ = try Self.spec(gateway: "10.89.4.1") }
        #expect(throws: NetworkError.self) { _ = try Self.spec(gateway: "10.89.3.255") }
    }
}
