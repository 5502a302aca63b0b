import Manifest

extension UnsupportedFields {
    /// Reports what Kubernetes' one flat Pod network cannot carry of the declared networks: `internal`,
    /// `external`, `subnet` and `gateway`, one warning each at the network's name.
    static func check(_ networks: [NetworkDefinition], warnings: inout ExportWarnings) {
        for network in networks where network.isDeclared {
            let location = network.location
            if network.isInternal {
                warnings.leftOut(
                    "network \(network.name) is `internal` (no route out), which cannot be expressed in Kubernetes "
                        + "(Pods reach outside the cluster unless a NetworkPolicy denies egress); left out", at: location)
            }
            if let external = network.external {
                warnings.leftOut(
                    "network \(network.name) is `external` (\(external), another project's), which cannot be expressed in Kubernetes "
                        + "(all namespaces share one Pod network: reach another project's Pods by Service name.namespace); left out",
                    at: location)
            }
            if let subnet = network.subnet {
                let gateway = network.gateway.map { " and gateway \($0)" } ?? ""
                warnings.leftOut(
                    "subnet \(subnet)\(gateway) of network \(network.name) cannot be expressed in Kubernetes "
                        + "(the cluster assigns Pod addresses); left out", at: location)
            }
        }
    }
}
