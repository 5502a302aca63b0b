import Foundation

/// A real `docker-registry` (distribution 2.x) on a free loopback port, with its own config and storage.
final class RegistryServer {
    let directory: String
    let port: Int
    let tls: Bool
    let htpasswd: Bool
    private var process: Process?

    var address: String { "127.0.0.1:\(port)" }
    var storage: String { directory + "/storage" }
    var certificate: String { directory + "/cert.pem" }

    /// Writes the config (and certificate and htpasswd file when asked) and starts the registry. With `tls`,
    /// a self-signed certificate for `certificateNames` (subjectAltName syntax), valid now or long expired.
    init(
        directory: String, tls: Bool = false, certificateNames: String = "IP:127.0.0.1", expired: Bool = false,
        htpasswd: (user: String, password: String)? = nil, extraConfig: String = ""
    ) throws {
        self.directory = directory
        self.port = try Self.freePort()
        self.tls = tls
        self.htpasswd = htpasswd != nil
        try FileManager.default.createDirectory(atPath: storage, withIntermediateDirectories: true)
        var config = """
            version: 0.1
            log:
              level: error
            storage:
              filesystem:
                rootdirectory: \(storage)
              maintenance:
                uploadpurging:
                  enabled: false
            http:
              addr: 127.0.0.1:\(port)

            """
        if tls {
            try Self.makeCertificate(directory: directory, names: certificateNames, expired: expired)
            config += "  tls:\n    certificate: \(certificate)\n    key: \(directory)/key.pem\n"
        }
        if let htpasswd {
            try Shell.run("/usr/bin/htpasswd", ["-Bbc", directory + "/htpasswd", htpasswd.user, htpasswd.password])
            config += "auth:\n  htpasswd:\n    realm: berth-test\n    path: \(directory)/htpasswd\n"
        }
        config += extraConfig
        try config.write(toFile: directory + "/config.yml", atomically: true, encoding: .utf8)
        try start()
    }

    /// A self-signed certificate (`cert.pem`, `key.pem`); an expired one is signed by `openssl ca`, the only
    /// openssl 3.0 tool that takes explicit dates.
    static func makeCertificate(directory: String, names: String, expired: Bool) throws {
        let common = names.split(separator: ",").first.map { String($0.split(separator: ":").last ?? "") } ?? "berth"
        guard expired else {
            try Shell.run(
                "/usr/bin/openssl",
                [
                    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=\(common)", "-addext", "subjectAltName=\(names)",
                    "-keyout", directory + "/key.pem", "-out", directory + "/cert.pem",
                ])
            return
        }
        let ca = directory + "/ca"
        try FileManager.default.createDirectory(atPath: ca, withIntermediateDirectories: true)
        try "".write(toFile: ca + "/index.txt", atomically: true, encoding: .utf8)
        try "01\n".write(toFile: ca + "/serial", atomically: true, encoding: .utf8)
        try """
        [ ca ]
        default_ca = berth
        [ berth ]
        database = \(ca)/index.txt
        new_certs_dir = \(ca)
        serial = \(ca)/serial
        default_md = sha256
        policy = any
        copy_extensions = copy
        [ any ]
        commonName = supplied

        """.write(toFile: ca + "/ca.cnf", atomically: true, encoding: .utf8)
        try Shell.run(
            "/usr/bin/openssl",
            [
                "req", "-new", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=\(common)",
                "-addext", "subjectAltName=\(names)", "-keyout", directory + "/key.pem",
                "-out", ca + "/request.csr",
            ])
        try Shell.run(
            "/usr/bin/openssl",
            [
                "ca", "-batch", "-config", ca + "/ca.cnf", "-selfsign",
                "-keyfile", directory + "/key.pem", "-in", ca + "/request.csr",
                "-startdate", "20200101000000Z", "-enddate", "20200102000000Z",
                "-out", directory + "/cert.pem",
            ])
    }

    /// Starts the registry process and waits until its port accepts connections.
    func start() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/docker-registry")
        process.arguments = ["serve", directory + "/config.yml"]
        _ = FileManager.default.createFile(atPath: directory + "/registry.log", contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: directory + "/registry.log"))
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process = process
        for _ in 0..<200 {
            if Self.canConnect(port: port) { return }
            guard process.isRunning else { break }
            usleep(50_000)
        }
        stop()
        let text = (try? String(contentsOfFile: directory + "/registry.log", encoding: .utf8)) ?? ""
        throw ShellError(message: "docker-registry did not start on \(address): \(text)")
    }

    /// Kills the registry (SIGKILL, as a crash would) and waits for it.
    func stop() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    deinit { stop() }

    /// Pushes `oci:<layout>:<refName>` to `repository:tag` with skopeo, keeping digests.
    /// With `dockerFormat`, skopeo converts the manifest to Docker schema 2 (so its digest changes).
    func push(
        layout: String, refName: String, to repositoryTag: String, all: Bool = false,
        credentials: String? = nil, dockerFormat: Bool = false
    ) throws {
        var arguments = ["--insecure-policy", "copy", "--quiet", "--dest-tls-verify=false"]
        arguments += dockerFormat ? ["--format", "v2s2"] : ["--preserve-digests"]
        if all { arguments.append("--all") }
        if let credentials { arguments += ["--dest-creds", credentials] }
        arguments += ["oci:\(layout):\(refName)", "docker://\(address)/\(repositoryTag)"]
        try Shell.run("/usr/bin/skopeo", arguments)
    }

    /// The file holding blob `hex` in the registry's filesystem storage.
    func blobDataPath(hex: String) -> String {
        "\(storage)/docker/registry/v2/blobs/sha256/\(hex.prefix(2))/\(hex)/data"
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ShellError(message: "socket failed") }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0
            }
        }
        guard bound else { throw ShellError(message: "bind failed") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    static func canConnect(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}

struct ShellError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

enum Shell {
    /// Runs a tool to completion; its output goes to a temp file that is read into the error on failure.
    static func run(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let outputPath = NSTemporaryDirectory() + "berth-shell-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        defer { unlink(outputPath) }
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        process.standardOutput = output
        process.standardError = output
        try process.run()
        process.waitUntilExit()
        try? output.close()
        guard process.terminationStatus == 0 else {
            let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
            throw ShellError(message: "\(tool) \(arguments.joined(separator: " ")) failed: \(text)")
        }
    }
}
