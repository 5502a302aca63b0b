import Diagnostics
import Foundation
import Testing
@testable import Manifest

/// Compose files read as Berth manifests: keys mapped, values kept, unsupported keys warned about at their
/// line, errors located in the compose file.
@Suite struct ComposeTests {
    static let compose = """
        name: shop
        version: "3.9"
        services:
          web:
            image: nginx:1.27
            command: ["nginx", "-g", "daemon off;"]
            working_dir: /srv
            environment:
              MODE: prod
              FROM_HOST:
            labels: ["tier=front"]
            ports:
              - "8080:80"
              - {target: 443, published: 8443, host_ip: 127.0.0.1, protocol: tcp}
            volumes:
              - data:/var/lib/web
              - {type: volume, source: cache, target: /cache, read_only: true, volume: {subpath: web}}
              - ./conf:/etc/nginx/conf.d:ro
            networks:
              front:
                aliases: [www]
                ipv4_address: 10.90.0.10
            depends_on:
              db: {condition: service_healthy}
            healthcheck:
              test: ["CMD-SHELL", "wget -q -O /dev/null http://localhost/"]
              interval: 10s
              start_period: 5s
            restart: unless-stopped
            stop_grace_period: 20s
            read_only: true
            cpus: "0.5"
            mem_limit: 256m
            logging: {driver: json-file}
            container_name: shop-web
          db:
            image: postgres:16
            environment: ["POSTGRES_PASSWORD_FILE=/run/secrets/db_pass", "PGUSER"]
            secrets: [db_pass]
            network_mode: none
            deploy:
              replicas: 1
              resources:
                limits: {memory: 1g, cpus: "2", pids: 200}
              placement: {constraints: ["node.role == manager"]}
          migrate:
            image: alpine:3.20
            entrypoint: /bin/sh -c
            command: "'echo migrated'"
            network_mode: "service:web"
            pull_policy: if_not_present
        networks:
          front:
            ipam:
              config:
                - subnet: 10.90.0.0/24
        volumes:
          data: {}
          cache:
            external: true
            name: other_cache
        secrets:
          db_pass:
            file: ./db_pass.txt
        x-common: &common {restart: always}
        """

    @Test func servicesBecomeContainersWithTheirSettings() throws {
        let loaded = try Support.load(Self.compose, name: "compose.yaml", environment: ["FROM_HOST": "h", "PGUSER": "pg"])
        #expect(loaded.name == "shop")
        let web = try #require(loaded.container(named: "web"))
        #expect(web.command == ["nginx", "-g", "daemon off;"] && web.args == nil)
        #expect(web.cwd == "/srv" && web.readonly && web.cpus == 0.5 && web.memoryLimit == 256 << 20)
        #expect(web.env == ["FROM_HOST=h", "MODE=prod"])
        #expect(web.labels == ["tier": "front"])
        #expect(web.ports.map(\.shortForm) == ["8080:80", "127.0.0.1:8443:443"])
        #expect(web.mounts.map(\.type) == [MountDefinition.volumeType, MountDefinition.volumeType, "bind"])
        #expect(web.mounts[1].subpath == "web" && web.mounts[1].options == ["ro"])
        #expect(web.mounts[2].source == "/project/conf" && web.mounts[2].options.contains("ro"))
        #expect(web.networks.first?.aliases == ["www"] && web.networks.first?.ipv4Address?.description == "10.90.0.10")
        #expect(web.dependencyRequirements["db"]?.condition == .healthy)
        #expect(web.restart == .unlessStopped && web.stopGracePeriod == 20)
        if case .check(let check)? = web.healthcheck {
            #expect(check.interval == 10 && check.startPeriod == 5)
        } else {
            Issue.record("healthcheck not carried over")
        }
        let db = try #require(loaded.container(named: "db"))
        #expect(db.netNone && db.memoryLimit == 1 << 30 && db.cpus == 2 && db.pidsLimit == 200)
        #expect(db.env == ["POSTGRES_PASSWORD_FILE=/run/secrets/db_pass", "PGUSER=pg"])
        #expect(db.secretMounts.map(\.target) == ["/run/secrets/db_pass"])
        let migrate = try #require(loaded.container(named: "migrate"))
        #expect(migrate.entrypoint == ["/bin/sh", "-c"] && migrate.command == ["echo migrated"])
        #expect(migrate.withNamespaces == [NamespaceJoin(type: .network, target: .container("web"))])
        #expect(migrate.pull == .missing)
        #expect(loaded.volumes.map(\.name) == ["cache", "data"] && loaded.volumes.first?.external == "other_cache")
        #expect(loaded.network(named: "front")?.subnet?.description == "10.90.0.0/24")
    }

    /// `~` and `~/…` in a bind source are the user's home, as compose expands them; `./~` stays relative; without
    /// an absolute HOME the mount is a located error, not a directory named `~`.
    @Test func tildeInABindSourceIsHome() throws {
        let text = """
            services:
              app:
                image: busybox
                volumes:
                  - ~/data:/data
                  - ./~/odd:/odd
                  - type: bind
                    source: ~/cache
                    target: /cache
            """
        let loaded = try Support.load(text, name: "compose.yaml", environment: ["HOME": "/home/ann/"])
        let sources = loaded.containers[0].mounts.map { $0.source ?? "" }
        #expect(sources == ["/home/ann/data", "/project/~/odd", "/home/ann/cache"])
        let errors = Support.diagnostics(text, name: "compose.yaml", environment: [:])
        #expect(errors.count == 2 && errors.allSatisfy { $0.contains("HOME is not set") }, "\(errors)")
        #expect(errors.first?.hasPrefix("compose.yaml:5:") == true, "\(errors)")
    }

    @Test func eachUnsupportedKeyIsOneLocatedWarning() throws {
        let loaded = try Support.load(Self.compose, name: "compose.yaml", environment: ["FROM_HOST": "h", "PGUSER": "pg"])
        let warnings = loaded.warnings.map(\.description)
        #expect(warnings.contains("compose.yaml:2:1: warning: `version` is obsolete in the Compose Specification; ignored"), "\(warnings)")
        #expect(warnings.contains("compose.yaml:34:5: warning: `logging` is not supported by Berth; ignored"), "\(warnings)")
        #expect(
            warnings.contains { $0.hasPrefix("compose.yaml:35:5: warning: `container_name` is not supported by Berth") }, "\(warnings)")
        #expect(warnings.contains("compose.yaml:45:7: warning: `deploy.placement` is not supported by Berth; ignored"), "\(warnings)")
        #expect(warnings.count == 4, "\(warnings)")
    }

    @Test func errorsPointIntoTheComposeFile() {
        let text = """
            services:
              web:
                image: nginx
                restart: sometimes
                depends_on:
                  db: {condition: service_ready}
            """
        let diagnostics = Support.diagnostics(text, name: "compose.yaml")
        #expect(diagnostics.contains { $0.hasPrefix("compose.yaml:4:14: error: invalid `restart` `sometimes`") }, "\(diagnostics)")
        #expect(
            diagnostics.contains { $0.hasPrefix("compose.yaml:6:23: error: invalid `condition` `service_ready`") },
            "\(diagnostics.joined(separator: " | "))")
        #expect(diagnostics.contains { $0.contains("`depends-on` names container `db`") }, "\(diagnostics)")
    }

    @Test func aFileWithServicesIsComposeWhateverItsName() throws {
        let loaded = try Support.load("services:\n  a:\n    image: busybox\n", name: "stack.yml", directory: "/work/My Stack")
        #expect(loaded.name == "my-stack")
        #expect(loaded.containers.map(\.name) == ["a"])
    }

    @Test func shellWords() {
        #expect(ShellWords.split(#"echo "a b" 'c d' e\ f"#) == ["echo", "a b", "c d", "e f"])
        #expect(ShellWords.split(#"sh -c "echo \"hi\" \$HOME""#) == ["sh", "-c", #"echo "hi" $HOME"#])
        #expect(ShellWords.split("") == [])
        #expect(ShellWords.split("'open") == nil)
        #expect(ShellWords.split("trailing\\") == nil)
    }

    @Test func servicesWithProfilesRunOnlyWhenOneIsEnabled() throws {
        let text = """
            services:
              app: {image: busybox}
              debug: {image: busybox, profiles: [debug]}
              tools: {image: busybox, profiles: [tools, debug]}
            """
        #expect(try Support.load(text, name: "compose.yaml").containers.map(\.name) == ["app"])
        let debug = try Support.load(text, name: "compose.yaml", environment: ["COMPOSE_PROFILES": "debug"])
        #expect(debug.containers.map(\.name) == ["app", "debug", "tools"])
        let tools = try Support.load(text, name: "compose.yaml", environment: ["COMPOSE_PROFILES": "x, tools"])
        #expect(tools.containers.map(\.name) == ["app", "tools"])
        #expect(try Support.load(text, name: "compose.yaml", environment: ["COMPOSE_PROFILES": "*"]).containers.count == 3)
    }

    /// Odd shapes give located errors or warnings, never a crash.
    @Test(arguments: [
        "services: []", "services: ~", "services: {web: ~}", "services: {web: nginx}", "services: {web: {image: [a]}}",
        "services: {web: {image: x, volumes: {a: b}}}", "services: {web: {image: x, ports: [{}]}}",
        "services: {web: {image: x, depends_on: {db: 3}}}", "services: {web: {image: x, deploy: [1]}}",
        "services: {web: {image: x, network_mode: 7}}", "services: {web: {image: x, build: {}}}",
        "services: {web: {image: x, environment: [null]}}", "services: {web: {image: x, labels: [\"=\"]}}",
        "services: {web: {image: x, healthcheck: {test: 5}}}", "networks: {n: {ipam: {config: []}}}\nservices: {a: {image: x}}",
        "volumes: {v: {external: true, name: [1]}}\nservices: {a: {image: x}}",
    ])
    func oddShapesNeverCrash(_ text: String) {
        let diagnostics = Support.diagnostics(text, name: "compose.yaml")
        #expect(diagnostics.allSatisfy { $0.hasPrefix("compose.yaml:") }, "\(diagnostics)")
    }

    @Test func severalFilesMergeAsComposeMergesThemAndErrorsNameTheirFile() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let base = dir.path + "/compose.yaml"
        let override = dir.path + "/compose.override.yaml"
        try Data(
            """
            services:
              web:
                image: nginx:1.26
                command: ["nginx", "-g", "daemon off;"]
                environment: [MODE=dev, KEEP=1]
                ports: ["8080:80", "8443:443"]
                volumes: ["data:/data", "./a:/a"]
            volumes:
              data: {}
            """.utf8
        ).write(to: URL(fileURLWithPath: base))
        try Data(
            """
            services:
              web:
                image: nginx:1.27
                command: ["nginx"]
                environment: {MODE: prod}
                ports: ["9443:443"]
                volumes: ["./b:/a"]
              worker:
                image: busybox
            """.utf8
        ).write(to: URL(fileURLWithPath: override))
        let loaded = try ManifestLoader.load(paths: [base, override], environment: [:])
        let web = try #require(loaded.container(named: "web"))
        #expect(web.image == "nginx:1.27" && web.command == ["nginx"])
        #expect(web.env == ["KEEP=1", "MODE=prod"], "\(web.env)")
        // Published ports are kept unless the same one is written again (compose merges them by host IP, published, target, protocol).
        #expect(web.ports.map(\.shortForm) == ["8080:80", "8443:443", "9443:443"], "\(web.ports.map(\.shortForm))")
        #expect(web.mounts.map { $0.source ?? "" } == ["data", dir.path + "/b"], "\(web.mounts)")
        #expect(loaded.containers.map(\.name) == ["web", "worker"])

        try Data("services:\n  web:\n    restart: sometimes\n".utf8).write(to: URL(fileURLWithPath: override))
        do {
            _ = try ManifestLoader.load(paths: [base, override], environment: [:])
            Issue.record("the bad override loaded")
        } catch let error as DiagnosticsError {
            #expect(
                error.diagnostics.map(\.description).contains { $0.hasPrefix(override + ":3:14: error: invalid `restart`") }, "\(error.diagnostics)")
        }
    }

    @Test func extendsAndIncludeBuildServicesFromOthers() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        _ = try dir.write(
            "shared/common.yaml",
            """
            services:
              base:
                image: busybox
                environment: {LEVEL: base, SHARED: "1"}
                restart: always
                volumes: ["./data:/data"]
            """)
        _ = try dir.write(
            "db/db.yaml",
            """
            services:
              db:
                image: postgres:16
                secrets: [pass]
            volumes:
              pgdata: {}
            secrets:
              pass: {file: ./pass.txt}
            """)
        let main = try dir.write(
            "compose.yaml",
            """
            include: [db/db.yaml]
            services:
              web:
                extends: {service: base, file: shared/common.yaml}
                environment: {LEVEL: web}
              worker:
                extends: web
                command: ["work"]
            """)
        let loaded = try ManifestLoader.load(path: main, environment: [:])
        #expect(loaded.containers.map(\.name) == ["db", "web", "worker"])
        let worker = try #require(loaded.container(named: "worker"))
        #expect(worker.image == "busybox" && worker.restart == .always && worker.command == ["work"])
        #expect(worker.env == ["LEVEL=web", "SHARED=1"], "\(worker.env)")
        #expect(loaded.volumes.map(\.name) == ["pgdata"])
        // Relative paths of an extended or included file are its own directory's, as compose reads them.
        #expect(worker.mounts.first?.source == dir.path + "/shared/data", "\(worker.mounts)")
        #expect(loaded.secrets.first?.source == .file(dir.path + "/db/pass.txt"), "\(loaded.secrets)")

        let cycle = try dir.write("cycle.yaml", "services:\n  a: {image: x, extends: b}\n  b: {image: x, extends: a}\n")
        do {
            _ = try ManifestLoader.load(path: cycle, environment: [:])
            Issue.record("an extends cycle loaded")
        } catch let error as DiagnosticsError {
            #expect(error.diagnostics.contains { $0.message.contains("cycle") }, "\(error.diagnostics)")
        }
        // Across two files named with `./` and `..`: still one file each, so the cycle is found.
        _ = try dir.write("sub/x.txt", "")
        let left = try dir.write("left.yaml", "services:\n  a:\n    image: x\n    extends: {file: ./sub/../right.yaml, service: b}\n")
        _ = try dir.write("right.yaml", "services:\n  b:\n    image: x\n    extends: {file: ./left.yaml, service: a}\n")
        do {
            _ = try ManifestLoader.load(path: left, environment: [:])
            Issue.record("an extends cycle across files loaded")
        } catch let error as DiagnosticsError {
            #expect(error.diagnostics.contains { $0.message.contains("cycle") }, "\(error.diagnostics)")
        }
    }
}
