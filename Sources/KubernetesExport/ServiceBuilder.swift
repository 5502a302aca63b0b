/// The Service of a Pod that listens on ports (`ports` or `expose`): the cluster's equivalent of Berth's
/// name resolution, so other Pods reach the workload by its name at the ports its containers listen on.
///
/// Always `type: ClusterIP`, with `port` = `targetPort` = the container's port. In Berth other
/// containers reach `web` at its container ports (`http://web/` is port 80 even with `"8080:80"`), and
/// that is what a ClusterIP Service gives, by name, inside the cluster. A published port's host side is
/// reported instead of guessed at: node ports are cluster-wide (a fixed one collides across namespaces
/// and must lie in 30000–32767, where few published ports do), a NodePort Service opens every one of
/// its ports on every node (`expose`d ones too, which Berth keeps off the host), and `host-ip` has no
/// equivalent; a NodePort or LoadBalancer Service, an Ingress or `kubectl port-forward` is the user's call.
enum ServiceBuilder {
    static func service(name: String, namespace: String, selector: [String: String], ports: [PodPort]) -> [String: YAMLValue] {
        [
            "apiVersion": .string("v1"),
            "kind": .string("Service"),
            "metadata": .map([
                "name": .string(name), "namespace": .string(namespace), "labels": PodBuilder.stringMap(selector),
            ]),
            "spec": .map([
                "type": .string("ClusterIP"),
                "selector": PodBuilder.stringMap(selector),
                "ports": .list(ports.sorted().map(\.servicePort)),
            ]),
        ]
    }
}
