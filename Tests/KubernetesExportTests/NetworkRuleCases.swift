import KubernetesExport

/// The networking rules (issue #15): ports and `expose` → containerPorts and a ClusterIP Service,
/// `dns`/`dns-search` → dnsConfig, `extra-hosts` → hostAliases, the rest as warnings.
let networkRuleCases: [RuleCase] = [
    RuleCase(
        name: "ports-service",
        containers: """
              web:
                image: nginx
                ports: ["8080:80", "8081:80", "8443:443"]
                expose: ["9000", "443"]

            """, warnings: ["published ports 8080:80, 8081:80, 8443:443 reach the host in Berth; Service web is ClusterIP"]),
    RuleCase(
        name: "ports-protocols",
        containers: """
              dns:
                image: busybox
                ports:
                  - "127.0.0.1:5353:53/udp"
                  - "5353:53"
                  - "9000-9001:9000-9001"
                  - {target: 3868, published: 3868, protocol: sctp}

            """,
        warnings: [
            "published ports 127.0.0.1:5353:53/udp, 5353:53, 9000:9000, 9001:9001, 3868:3868/sctp reach the host in Berth; "
                + "Service dns is ClusterIP, reachable at the container's ports from inside the cluster only, "
                + "so the host ports and host-ip 127.0.0.1 are left out"
        ]),
    RuleCase(name: "expose-only", containers: "  cache: {image: redis, expose: [\"6379\", \"6379/udp\"]}\n"),
    RuleCase(
        name: "expose-job", containers: "  probe: {image: busybox, args: [\"true\"], expose: [\"8125/udp\"]}\n",
        options: ExportOptions(workload: .job)),
    RuleCase(
        name: "expose-pod", containers: "  probe: {image: busybox, expose: [\"80\"]}\n", options: ExportOptions(workload: .pod)),
    RuleCase(
        name: "ports-pod-group",
        containers: """
              web: {image: nginx, ports: ["8080:80"], expose: ["9090"]}
              sidecar:
                image: busybox
                expose: ["80", "9091"]
                with-ns: [{type: network, container: web}]
              helper:
                image: busybox
                expose: ["9090"]
                with-ns: [{type: ipc, container: web}]

            """,
        warnings: [
            "published port 8080:80 reaches the host in Berth; Service web is ClusterIP, reachable at the container's ports "
                + "from inside the cluster only, so the host port is left out",
            "port 9090/tcp of container helper is also a port of container web, which shares Pod web",
        ]),
    RuleCase(
        name: "service-name-digit", containers: "  1web: {image: nginx, expose: [\"80\"]}\n",
        warnings: ["the Service of 1web is named svc-1web (Service names must start with a letter)"]),
    RuleCase(
        name: "dns",
        containers: """
              app:
                image: busybox
                dns: [1.1.1.1, 9.9.9.9]
                dns-search: [Corp.Example.com, example.com]

            """, warnings: ["dns replaces the cluster's name servers in Pod app (dnsPolicy None)"]),
    RuleCase(name: "dns-search-only", containers: "  app: {image: busybox, dns-search: [svc.example.com]}\n"),
    RuleCase(
        name: "dns-pod-conflict",
        containers: """
              app: {image: busybox, dns: [1.1.1.1], dns-search: [a.example]}
              helper:
                image: busybox
                dns: [8.8.8.8]
                dns-search: [a.example]
                with-ns: [{type: uts, container: app}]

            """,
        warnings: [
            "dns replaces the cluster's name servers in Pod app",
            "dns 8.8.8.8 differs from 1.1.1.1 of container app, which shares Pod app (one DNS configuration per Pod); left out",
        ]),
    RuleCase(
        name: "extra-hosts",
        containers: """
              app:
                image: busybox
                extra-hosts: ["db:10.0.0.5", "cache=10.0.0.5", "api:10.0.0.2", "gw:host-gateway"]

            """, warnings: ["extra-hosts gw:host-gateway cannot be expressed in Kubernetes"]),
    RuleCase(
        name: "networks",
        containers: """
              web:
                image: nginx
                expose: ["80"]
                networks:
                  front: {aliases: [www, site]}
                  back: {ipv4-address: 10.89.7.10}
              db:
                image: postgres
                networks: [back]
              worker:
                image: busybox
                networks: [default]

            """,
        warnings: [
            "networks back, front cannot be expressed in Kubernetes",
            "aliases www, site on network front cannot be expressed",
            "ipv4-address 10.89.7.10 on network back cannot be expressed",
            "networks back cannot be expressed in Kubernetes",
            "network back is `internal` (no route out)",
            "subnet 10.89.7.0/24 of network back cannot be expressed",
        ],
        networks: """
              front: {}
              back: {internal: true, subnet: 10.89.7.0/24}

            """),
    RuleCase(
        name: "net-none", containers: "  app: {image: busybox, net-none: true}\n",
        warnings: ["`net-none` cannot be expressed in Kubernetes"]),
]
