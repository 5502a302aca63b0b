import OCI
import Manifest

/// Containers that must share one Pod because one joins another's network, ipc, uts or pid namespace.
struct PodGroup: Hashable, Sendable {
    /// Joined containers first (sorted by name), then the joining ones (sorted by name).
    var containers: [ContainerDefinition]
    /// A pid join: the Pod shares one process namespace.
    var sharesProcessNamespace: Bool

    /// The Pod's name: its first container's.
    var name: String { containers.first?.name ?? "" }
}

enum PodGrouping {
    /// Namespace types that all containers of a Pod share (uts through the Pod's hostname).
    static let podNamespaces: Set<NamespaceType> = [.network, .ipc, .uts, .pid]

    /// Groups `containers` by `with-ns {container:}` joins of Pod-shared namespaces; groups ordered by name.
    static func groups(of containers: [ContainerDefinition]) -> [PodGroup] {
        let names = Set(containers.map(\.name))
        var parent: [String: String] = [:]
        func root(_ name: String) -> String {
            var current = name
            while let next = parent[current], next != current { current = next }
            return current
        }
        for container in containers {
            for join in container.withNamespaces where podNamespaces.contains(join.type) {
                guard case .container(let target) = join.target, names.contains(target) else { continue }
                let a = root(container.name), b = root(target)
                if a != b { parent[max(a, b)] = min(a, b) }
            }
        }
        var members: [String: [ContainerDefinition]] = [:]
        for container in containers { members[root(container.name), default: []].append(container) }
        return members.values.map { group in
            let joined = Set(
                group.flatMap {
                    $0.withNamespaces.compactMap { join -> String? in
                        guard podNamespaces.contains(join.type), case .container(let target) = join.target else { return nil }
                        return target
                    }
                })
            let joiners = Set(
                group.filter { c in c.withNamespaces.contains { podNamespaces.contains($0.type) && $0.target.isContainer } }.map(\.name))
            let ordered = group.sorted { a, b in
                let ka = rank(a.name, joined: joined, joiners: joiners), kb = rank(b.name, joined: joined, joiners: joiners)
                return ka != kb ? ka < kb : a.name < b.name
            }
            let groupNames = Set(group.map(\.name))
            let sharesPID = group.contains {
                $0.withNamespaces.contains { join in
                    guard join.type == "pid", case .container(let target) = join.target else { return false }
                    return groupNames.contains(target)
                }
            }
            return PodGroup(containers: ordered, sharesProcessNamespace: sharesPID)
        }.sorted { $0.name < $1.name }
    }

    /// 0: joined by others and joins nobody; 1: joined and joining; 2: only joining.
    private static func rank(_ name: String, joined: Set<String>, joiners: Set<String>) -> Int {
        if !joiners.contains(name) { return 0 }
        return joined.contains(name) ? 1 : 2
    }
}

extension NamespaceJoin.Target {
    var isContainer: Bool {
        if case .container = self { return true }
        return false
    }
}
