import Manifest

/// The order containers start in: a container after those it `depends-on` or whose namespaces it joins;
/// otherwise by name. A cycle is an error naming it (the manifest validator reports it first with a location).
enum StartOrder {
    static func sorted(_ containers: [ContainerDefinition]) throws -> [String] {
        var dependencies: [String: Set<String>] = [:]
        let names = Set(containers.map(\.name))
        for c in containers {
            dependencies[c.name] = Set(c.dependencies).intersection(names)
        }
        var order: [String] = []
        var done: Set<String> = []
        var remaining = names
        while !remaining.isEmpty {
            let ready = remaining.filter { dependencies[$0, default: []].isSubset(of: done) }.sorted()
            guard !ready.isEmpty else {
                throw PlanError(
                    code: "dependency-cycle",
                    [.error(at: nil, "dependency cycle between containers: \(remaining.sorted().joined(separator: ", "))")])
            }
            order += ready
            done.formUnion(ready)
            remaining.subtract(ready)
        }
        return order
    }
}
